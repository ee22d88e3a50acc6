import NIOCore

/// One side of a proxied TCP connection: what it reads it writes to its partner (the other side,
/// on the same event loop), with backpressure, half-closure and close propagation. Until a
/// partner is attached, reads are kept and offered to `onPending` (the frontend uses that to
/// look at an HTTP request head before choosing a target).
final class RelayHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?
    private var partner: RelayHandler?
    private var pending = ByteBuffer()
    private var detached = false
    private(set) var inputClosed = false
    /// Called after each read (and at end of input) while no partner is attached.
    var onPending: ((RelayHandler) -> Void)?
    /// A header line (with its CRLF) to insert after the first line of what this side reads: the
    /// backend side of a sticky HTTP connection uses it to add `Set-Cookie` to the first response.
    var insertAfterFirstLine: String?
    /// Called once when this side's channel goes inactive.
    var onInactive: (() -> Void)?

    /// Bytes read and not yet handed to a partner.
    var pendingBytes: ByteBuffer { pending }
    /// False once this side's channel has gone inactive (or the handler left it).
    private(set) var isOpen = true

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        isOpen = false
        self.context = nil
        partner = nil
    }

    /// Joins the two sides: what was kept goes to `partner` first.
    func attach(_ partner: RelayHandler) {
        self.partner = partner
        onPending = nil
        if pending.readableBytes > 0 {
            let bytes = pending
            pending = ByteBuffer()
            partner.send(bytes)
            partner.flush()
        }
        if inputClosed { partner.shutdownOutput(peerInputClosed: true) }
    }

    /// Writes `bytes` out of this side, then closes it (an answer from the load balancer itself).
    func respondAndClose(_ bytes: ByteBuffer) {
        guard let context else { return }
        detached = true
        context.writeAndFlush(wrapOutboundOut(bytes)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    func close() {
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if let insert = insertAfterFirstLine {
            pending.writeBuffer(&bytes)
            guard let end = pending.readableBytesView.firstRange(of: [0x0D, 0x0A]) else { return }
            insertAfterFirstLine = nil
            let lineLength = end.upperBound - pending.readerIndex
            var rewritten = pending.readSlice(length: lineLength)!
            rewritten.writeString(insert)
            rewritten.writeBuffer(&pending)
            pending = ByteBuffer()
            bytes = rewritten
        }
        guard let partner else {
            if !detached {
                pending.writeBuffer(&bytes)
                onPending?(self)
            }
            return
        }
        partner.send(bytes)
        if !partner.isWritable { setReading(false) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.flush()
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case ChannelEvent.inputClosed = event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        inputClosed = true
        if let partner {
            partner.shutdownOutput(peerInputClosed: true)
        } else if !detached {
            onPending?(self)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.setReading(true) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        isOpen = false
        let partner = self.partner
        self.partner = nil
        partner?.closeAfterFlush()
        onInactive?()
        onInactive = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: Called by the partner

    private var isWritable: Bool { context?.channel.isWritable ?? true }

    private func send(_ bytes: ByteBuffer) {
        context?.write(wrapOutboundOut(bytes), promise: nil)
    }

    private func flush() {
        context?.flush()
    }

    private func setReading(_ on: Bool) {
        guard let options = context?.channel.syncOptions else { return }
        try? options.setOption(ChannelOptions.autoRead, value: on)
    }

    /// The partner's input ended: end our output after what is queued; once both inputs have
    /// ended the connection is done.
    private func shutdownOutput(peerInputClosed: Bool) {
        guard let context else { return }
        context.flush()
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.close(mode: .output, promise: promise)
        promise.futureResult.assumeIsolated().whenComplete { result in
            // TLS or a finished connection cannot half-close: close all the way.
            if case .failure = result { context.close(promise: nil) }
            if self.inputClosed { context.close(promise: nil) }
        }
    }

    /// The partner is gone: deliver what is queued, then close.
    private func closeAfterFlush() {
        guard let context else { return }
        context.flush()
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.close(mode: .output, promise: promise)
        promise.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
