"""The UDP member checks against real sockets on loopback, and how a
run of results turns into UP and DOWN."""
import socket
import threading

from octavia_aa.amphorae.backends.agent import udp_health


def _closed_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_udp_connect_tells_refused_silent_and_answered():
    assert udp_health.probe_udp('127.0.0.1', _closed_port(), 0.5) is False
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as quiet:
        quiet.bind(('127.0.0.1', 0))
        assert udp_health.probe_udp('127.0.0.1', quiet.getsockname()[1],
                                    0.2) is udp_health.SILENT
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as echo:
        echo.bind(('127.0.0.1', 0))

        def answer():
            data, peer = echo.recvfrom(100)
            echo.sendto(data, peer)
        t = threading.Thread(target=answer)
        t.start()
        assert udp_health.probe_udp('127.0.0.1', echo.getsockname()[1],
                                    2) is True
        t.join()


def test_silence_neither_ends_a_failure_run_nor_hides_a_dead_member():
    check = udp_health._Check({'id': 'm', 'address': 'x', 'port': 1},
                              {'type': 'UDP-CONNECT', 'max_retries': 2,
                               'max_retries_down': 3})
    S = udp_health.SILENT
    # Refused, silent (rate-limited ICMP), refused, refused: DOWN.
    flips = [check.record(r) for r in (False, S, False, S, False)]
    assert flips == [False, False, False, False, True] and not check.up
    # Back: two successes (silence counts, as upstream) bring it UP;
    # a refusal in between starts the count again.
    assert [check.record(r) for r in (S, False, True, S)] == [
        False, False, False, True] and check.up


def test_expected_codes_as_upstream_writes_them():
    assert udp_health.expected('200-202,204') == {200, 201, 202, 204}
    assert udp_health.expected(None) == {200}
