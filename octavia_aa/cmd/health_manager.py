"""octavia-aa-health-manager: heartbeats in, failovers out."""
import sys

from octavia_aa.cmd import service_runner


def main():
    from octavia_aa.controller.healthmanager import service
    return service_runner.run(service.HealthManagerService,
                              metrics_port='health_manager_port')


if __name__ == '__main__':
    sys.exit(main())
