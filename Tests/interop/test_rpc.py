"""The RPC layer (gRPC core from Swift) driven by an independent peer: Python grpcio.

rpc-testserver registers test methods on Mooring's RPCServer; these tests talk to it over its
real Unix socket.
"""
import os
import socket
import stat
import subprocess
import threading
import time

import grpc
import pytest

from mooring_procs import Served

ECHO = "/mooring.test.Test/Echo"


@pytest.fixture
def server(bin_dir, tmp_path):
    sock = tmp_path / "rpc.sock"
    s = Served([str(bin_dir / "rpc-testserver"), "--endpoint", f"unix://{sock}"], sock,
               tmp_path / "server.log").wait_ready()
    yield s
    s.kill()


def call(channel, method, payload=b"", timeout=10):
    return channel.unary_unary(method)(payload, timeout=timeout)


def status_of(channel, method, payload=b"", timeout=10):
    with pytest.raises(grpc.RpcError) as info:
        call(channel, method, payload, timeout)
    return info.value.code(), info.value.details()


def test_echo_round_trips_empty_small_and_large_messages(server):
    with grpc.insecure_channel(server.target) as ch:
        assert call(ch, ECHO, b"hello") == b"hello"
        assert call(ch, ECHO, b"") == b""
        big = os.urandom(3 * 1024 * 1024)
        assert call(ch, ECHO, big) == big


def test_unknown_method_is_unimplemented_and_server_keeps_serving(server):
    with grpc.insecure_channel(server.target) as ch:
        code, details = status_of(ch, "/csi.v1.Nope/Nothing")
        assert code == grpc.StatusCode.UNIMPLEMENTED
        assert "/csi.v1.Nope/Nothing" in details
        assert call(ch, ECHO, b"still here") == b"still here"


@pytest.mark.parametrize("code", [grpc.StatusCode.NOT_FOUND, grpc.StatusCode.ALREADY_EXISTS,
                                  grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.ABORTED,
                                  grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.OUT_OF_RANGE])
def test_handler_status_codes_and_messages_reach_the_client(server, code):
    with grpc.insecure_channel(server.target) as ch:
        got, details = status_of(ch, "/mooring.test.Test/Fail", f"{code.value[0]} volume vol-1: why".encode())
        assert got == code
        assert details == "volume vol-1: why"


def test_a_non_rpc_error_becomes_internal_with_its_cause(server):
    with grpc.insecure_channel(server.target) as ch:
        code, details = status_of(ch, "/mooring.test.Test/Throw")
        assert code == grpc.StatusCode.INTERNAL
        assert "disk on fire" in details


def test_garbage_bytes_to_a_handler_that_validates_get_an_error_and_serving_continues(server):
    with grpc.insecure_channel(server.target) as ch:
        code, _ = status_of(ch, "/mooring.test.Test/Sleep", b"\xff\xfe\x00garbage")
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        assert call(ch, ECHO, b"ok") == b"ok"


def test_raw_non_grpc_bytes_on_the_socket_do_not_break_the_server(server):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(server.socket_path))
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + os.urandom(4096))
    s.close()
    with grpc.insecure_channel(server.target) as ch:
        assert call(ch, ECHO, b"after garbage") == b"after garbage"


def test_deadline_fails_the_call_and_cancels_the_handler(server):
    with grpc.insecure_channel(server.target) as ch:
        started = time.monotonic()
        code, _ = status_of(ch, "/mooring.test.Test/Sleep", b"30000", timeout=0.3)
        assert code == grpc.StatusCode.DEADLINE_EXCEEDED
        assert time.monotonic() - started < 10
        # The handler's task saw the cancellation instead of sleeping on for 30 s.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if call(ch, "/mooring.test.Test/Stats") == b"cancelled=1 completed=0":
                break
            time.sleep(0.05)
        assert call(ch, "/mooring.test.Test/Stats") == b"cancelled=1 completed=0"


def test_client_cancellation_cancels_the_handler(server):
    with grpc.insecure_channel(server.target) as ch:
        future = ch.unary_unary("/mooring.test.Test/Sleep").future(b"30000")
        time.sleep(0.3)
        future.cancel()
        deadline = time.monotonic() + 5
        while call(ch, "/mooring.test.Test/Stats") != b"cancelled=1 completed=0":
            assert time.monotonic() < deadline, "the handler never saw the cancellation"
            time.sleep(0.05)


def test_200_concurrent_calls_complete_while_slow_and_blocking_handlers_run(server):
    """More blocking handlers than cores must not stall anybody else (no timing thresholds:
    the fast calls must simply all finish before any slow one does)."""
    with grpc.insecure_channel(server.target) as ch:
        assert call(ch, ECHO, b"warm") == b"warm"
        slow = [ch.unary_unary("/mooring.test.Test/Block").future(b"4000") for _ in range(6)]
        slow += [ch.unary_unary("/mooring.test.Test/Sleep").future(b"4000") for _ in range(6)]
        time.sleep(0.2)
        echo = ch.unary_unary(ECHO)
        fast = [echo.future(b"%d" % i, timeout=30) for i in range(200)]
        results = [f.result() for f in fast]
        assert results == [b"%d" % i for i in range(200)]
        assert not any(s.done() for s in slow), "a slow call finished before the fast ones: calls were serialised"
        assert sorted(s.result() for s in slow) == [b"blocked"] * 6 + [b"slept"] * 6


def test_many_clients_in_parallel_threads(server):
    errors = []

    def worker(n):
        try:
            with grpc.insecure_channel(server.target) as ch:
                for i in range(50):
                    payload = b"%d-%d" % (n, i)
                    assert call(ch, ECHO, payload) == payload
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_socket_mode_is_0660(server):
    assert stat.S_IMODE(os.stat(server.socket_path).st_mode) == 0o660
    assert stat.S_ISSOCK(os.stat(server.socket_path).st_mode)


def test_sigterm_lets_the_in_flight_call_finish_refuses_new_ones_and_removes_the_socket(bin_dir, tmp_path):
    sock = tmp_path / "rpc.sock"
    s = Served([str(bin_dir / "rpc-testserver"), "--endpoint", f"unix://{sock}"], sock,
               tmp_path / "server.log").wait_ready()
    try:
        with grpc.insecure_channel(s.target) as ch:
            in_flight = ch.unary_unary("/mooring.test.Test/Sleep").future(b"1500", timeout=30)
            time.sleep(0.3)
            s.proc.send_signal(15)
            time.sleep(0.3)
            # A new connection after shutdown began is refused.
            with grpc.insecure_channel(s.target) as late:
                code, _ = status_of(late, ECHO, b"late", timeout=2)
                assert code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
            assert in_flight.result() == b"slept"
        assert s.proc.wait(timeout=20) == 0
        assert not sock.exists()
        assert "stopped on signal 15" in s.output()
    finally:
        s.kill()


def test_shutdown_cancels_calls_that_outlive_the_grace_period(bin_dir, tmp_path):
    sock = tmp_path / "rpc.sock"
    s = Served([str(bin_dir / "rpc-testserver"), "--endpoint", f"unix://{sock}", "--grace-seconds", "1"],
               sock, tmp_path / "server.log").wait_ready()
    try:
        with grpc.insecure_channel(s.target) as ch:
            stuck = ch.unary_unary("/mooring.test.Test/Sleep").future(b"60000", timeout=60)
            time.sleep(0.3)
            started = time.monotonic()
            s.proc.send_signal(15)
            assert s.proc.wait(timeout=20) == 0
            assert time.monotonic() - started < 15
            with pytest.raises(grpc.RpcError) as info:
                stuck.result()
            assert info.value.code() in (grpc.StatusCode.CANCELLED, grpc.StatusCode.UNAVAILABLE)
        assert not sock.exists()
    finally:
        s.kill()


def test_a_stale_socket_file_is_replaced(bin_dir, tmp_path):
    sock = tmp_path / "rpc.sock"
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(sock))
    stale.close()  # the file stays behind, as after a crash
    assert sock.exists()
    s = Served([str(bin_dir / "rpc-testserver"), "--endpoint", f"unix://{sock}"], sock,
               tmp_path / "server.log").wait_ready()
    try:
        with grpc.insecure_channel(s.target) as ch:
            assert call(ch, ECHO, b"x") == b"x"
    finally:
        s.kill()


def test_a_live_server_socket_is_not_stolen(server, bin_dir, tmp_path):
    second = subprocess.run([str(bin_dir / "rpc-testserver"), "--endpoint", server.target],
                            capture_output=True, text=True, timeout=20)
    assert second.returncode == 1
    assert "already listening" in second.stdout
    with grpc.insecure_channel(server.target) as ch:
        assert call(ch, ECHO, b"first still serves") == b"first still serves"


def test_a_path_that_is_not_a_socket_is_refused(bin_dir, tmp_path):
    path = tmp_path / "precious.txt"
    path.write_text("do not delete")
    out = subprocess.run([str(bin_dir / "rpc-testserver"), "--endpoint", f"unix://{path}"],
                         capture_output=True, text=True, timeout=20)
    assert out.returncode == 1
    assert "not a socket" in out.stdout
    assert path.read_text() == "do not delete"


@pytest.mark.parametrize("endpoint", ["unix://relative/path.sock", "http://x", "tcp://nohostport"])
def test_bad_endpoints_are_refused_clearly(bin_dir, endpoint):
    out = subprocess.run([str(bin_dir / "rpc-testserver"), "--endpoint", endpoint],
                         capture_output=True, text=True, timeout=20)
    assert out.returncode == 1
    assert "endpoint" in out.stdout
