import CFuzzer

/// Runs libFuzzer with the process's arguments (`-max_total_time=`, corpus directories, ...)
/// on `callback`, which gets each input. Returns libFuzzer's exit code.
public func runLibFuzzer(
    argc: CInt, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, callback)
}
