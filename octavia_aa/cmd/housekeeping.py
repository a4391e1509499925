"""octavia-aa-housekeeping: purges deleted rows."""
import sys

from octavia_aa.cmd import service_runner


def main():
    from octavia_aa.controller.housekeeping import service
    return service_runner.run(service.HousekeepingService)


if __name__ == '__main__':
    sys.exit(main())
