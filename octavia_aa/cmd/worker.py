"""octavia-aa-worker: consumes the API's RPC casts and runs the flows."""
import sys

from octavia_aa.cmd import service_runner


def main():
    from octavia_aa.controller.worker import service
    return service_runner.run(service.WorkerService,
                              metrics_port='worker_port')


if __name__ == '__main__':
    sys.exit(main())
