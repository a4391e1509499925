"""octavia-aa-demo (octavia_aa/cmd/demo.py): an active-active load
balancer in one step.

Against a running octavia-aa-all with the netns data plane it:

* starts three small HTTP member servers in the namespace
  ``<prefix>-demo-members`` on the member subnet's bridge (addresses below
  the IPAM allocation range, so no port is ever handed them), each answering
  with its name and the address the request came from;
* makes the client namespace ``<prefix>-demo-client`` on the VIP subnet's
  bridge;
* creates, with the real ``openstack loadbalancer`` commands (printed
  before they run), a flavor profile and flavor (ACTIVE_ACTIVE, 3 amphorae,
  at least 2), a load balancer, an HTTP listener, a pool and the members;
* sends requests to the VIP from the client namespace and prints which
  amphora served how many (the member sees the amphora's member-subnet
  address as the peer).

``--traffic`` only sends the requests again (e.g. after killing an
amphora); ``--cleanup`` deletes everything the demo made.  The member
servers keep running after the demo exits, so ``ip netns exec
<prefix>-demo-client curl http://VIP/`` works until ``--cleanup``.
"""
