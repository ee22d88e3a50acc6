#ifndef MOORING_CGRPC_SHIM_H
#define MOORING_CGRPC_SHIM_H

// These system headers must come before any gRPC header: otherwise Clang sees fd_set declared by
// two modules (Glibc's and this one) and refuses the import.
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/slice.h>
#include <grpc/support/time.h>
#include <grpc/support/alloc.h>

// The Swift importer drops function-like macros, so GRPC_SLICE_START_PTR / GRPC_SLICE_LENGTH
// are re-exposed as inline functions taking the slice by pointer (slices are unions with inline
// storage; copying one by value into Swift and back would point at a temporary).
static inline const uint8_t *cgrpc_slice_start(const grpc_slice *slice) {
    return GRPC_SLICE_START_PTR(*slice);
}
static inline size_t cgrpc_slice_length(const grpc_slice *slice) {
    return GRPC_SLICE_LENGTH(*slice);
}

// Copies a whole (possibly multi-slice, possibly compressed) byte buffer into one malloc'd block
// the caller frees with free(). Returns 0 on success, -1 if the buffer cannot be read.
static inline int cgrpc_byte_buffer_copy(grpc_byte_buffer *buffer, uint8_t **out, size_t *out_len) {
    grpc_byte_buffer_reader reader;
    *out = NULL;
    *out_len = 0;
    if (!grpc_byte_buffer_reader_init(&reader, buffer)) return -1;
    grpc_slice all = grpc_byte_buffer_reader_readall(&reader);
    grpc_byte_buffer_reader_destroy(&reader);
    size_t len = GRPC_SLICE_LENGTH(all);
    uint8_t *copy = (uint8_t *)malloc(len > 0 ? len : 1);
    if (copy == NULL) { grpc_slice_unref(all); return -1; }
    if (len > 0) memcpy(copy, GRPC_SLICE_START_PTR(all), len);
    grpc_slice_unref(all);
    *out = copy;
    *out_len = len;
    return 0;
}

static inline grpc_byte_buffer *cgrpc_byte_buffer_from(const uint8_t *bytes, size_t len) {
    grpc_slice slice = grpc_slice_from_copied_buffer((const char *)bytes, len);
    grpc_byte_buffer *buffer = grpc_raw_byte_buffer_create(&slice, 1);
    grpc_slice_unref(slice);
    return buffer;
}

// MARK: - Server calls
//
// Everything gRPC writes into after grpc_server_request_call / grpc_call_start_batch returns
// lives in this one heap struct, so no address handed to the core can move (Swift properties
// and stack temporaries can).
typedef struct cgrpc_server_call {
    grpc_call *call;
    grpc_call_details details;
    grpc_metadata_array request_metadata;
    grpc_byte_buffer *recv_message;
    int cancelled;
    grpc_byte_buffer *send_message;
    grpc_slice status_details;
    int has_status_details;
} cgrpc_server_call;

static inline cgrpc_server_call *cgrpc_server_call_create(void) {
    cgrpc_server_call *c = (cgrpc_server_call *)calloc(1, sizeof(cgrpc_server_call));
    if (c == NULL) return NULL;
    grpc_call_details_init(&c->details);
    grpc_metadata_array_init(&c->request_metadata);
    return c;
}

static inline void cgrpc_server_call_destroy(cgrpc_server_call *c) {
    if (c == NULL) return;
    if (c->call) grpc_call_unref(c->call);
    grpc_call_details_destroy(&c->details);
    grpc_metadata_array_destroy(&c->request_metadata);
    if (c->recv_message) grpc_byte_buffer_destroy(c->recv_message);
    if (c->send_message) grpc_byte_buffer_destroy(c->send_message);
    if (c->has_status_details) grpc_slice_unref(c->status_details);
    free(c);
}

static inline grpc_call_error cgrpc_server_request_call(grpc_server *server, cgrpc_server_call *c,
                                                        grpc_completion_queue *cq, void *tag) {
    return grpc_server_request_call(server, &c->call, &c->details, &c->request_metadata, cq, cq, tag);
}

static inline gpr_timespec cgrpc_server_call_deadline(const cgrpc_server_call *c) {
    return c->details.deadline;
}

// Batch 1 of a unary server call: initial metadata out, the request message in.
static inline grpc_call_error cgrpc_server_call_start_receive(cgrpc_server_call *c, void *tag) {
    grpc_op ops[2];
    memset(ops, 0, sizeof(ops));
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_RECV_MESSAGE;
    ops[1].data.recv_message.recv_message = &c->recv_message;
    return grpc_call_start_batch(c->call, ops, 2, tag, NULL);
}

// Completes when the call is over, whether by our status or by cancellation (client cancel,
// deadline, broken connection); `cancelled` then tells which.
static inline grpc_call_error cgrpc_server_call_start_close_watch(cgrpc_server_call *c, void *tag) {
    grpc_op op;
    memset(&op, 0, sizeof(op));
    op.op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    op.data.recv_close_on_server.cancelled = &c->cancelled;
    return grpc_call_start_batch(c->call, &op, 1, tag, NULL);
}

// Final batch: the response (when `bytes` is non-NULL) and the status.
static inline grpc_call_error cgrpc_server_call_finish(cgrpc_server_call *c, const uint8_t *bytes,
                                                       size_t len, grpc_status_code status,
                                                       const char *details, void *tag) {
    grpc_op ops[2];
    size_t n = 0;
    memset(ops, 0, sizeof(ops));
    if (bytes != NULL) {
        c->send_message = cgrpc_byte_buffer_from(bytes, len);
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n].data.send_message.send_message = c->send_message;
        n++;
    }
    if (details != NULL && details[0] != '\0') {
        c->status_details = grpc_slice_from_copied_string(details);
        c->has_status_details = 1;
    }
    ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[n].data.send_status_from_server.status = status;
    ops[n].data.send_status_from_server.status_details = c->has_status_details ? &c->status_details : NULL;
    n++;
    return grpc_call_start_batch(c->call, ops, n, tag, NULL);
}

// MARK: - Client calls

typedef struct cgrpc_client_call {
    grpc_call *call;
    grpc_byte_buffer *send_message;
    grpc_metadata_array initial_metadata;
    grpc_metadata_array trailing_metadata;
    grpc_byte_buffer *recv_message;
    grpc_status_code status;
    grpc_slice status_details;
} cgrpc_client_call;

static inline cgrpc_client_call *cgrpc_client_call_create(grpc_channel *channel, grpc_completion_queue *cq,
                                                          const char *method, gpr_timespec deadline) {
    cgrpc_client_call *c = (cgrpc_client_call *)calloc(1, sizeof(cgrpc_client_call));
    if (c == NULL) return NULL;
    grpc_metadata_array_init(&c->initial_metadata);
    grpc_metadata_array_init(&c->trailing_metadata);
    c->status_details = grpc_empty_slice();
    grpc_slice method_slice = grpc_slice_from_copied_string(method);
    c->call = grpc_channel_create_call(channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq, method_slice, NULL,
                                       deadline, NULL);
    grpc_slice_unref(method_slice);
    return c;
}

static inline void cgrpc_client_call_destroy(cgrpc_client_call *c) {
    if (c == NULL) return;
    if (c->call) grpc_call_unref(c->call);
    if (c->send_message) grpc_byte_buffer_destroy(c->send_message);
    grpc_metadata_array_destroy(&c->initial_metadata);
    grpc_metadata_array_destroy(&c->trailing_metadata);
    if (c->recv_message) grpc_byte_buffer_destroy(c->recv_message);
    grpc_slice_unref(c->status_details);
    free(c);
}

// The whole unary exchange in one batch; completes when the status has arrived.
static inline grpc_call_error cgrpc_client_call_start_unary(cgrpc_client_call *c, const uint8_t *bytes,
                                                            size_t len, void *tag) {
    grpc_op ops[6];
    memset(ops, 0, sizeof(ops));
    c->send_message = cgrpc_byte_buffer_from(bytes, len);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = c->send_message;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &c->initial_metadata;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &c->recv_message;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &c->trailing_metadata;
    ops[5].data.recv_status_on_client.status = &c->status;
    ops[5].data.recv_status_on_client.status_details = &c->status_details;
    return grpc_call_start_batch(c->call, ops, 6, tag, NULL);
}

// MARK: - Threads

// Names the calling thread (visible in top -H, gdb, /proc); pthread_setname_np is a GNU
// extension the Swift Glibc module does not expose.
static inline void cgrpc_name_current_thread(const char *name) {
    prctl(PR_SET_NAME, name, 0, 0, 0);
}

// MARK: - Time

static inline gpr_timespec cgrpc_deadline_after_millis(int64_t millis) {
    return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(millis, GPR_TIMESPAN));
}

static inline gpr_timespec cgrpc_infinite_future(void) {
    return gpr_inf_future(GPR_CLOCK_REALTIME);
}

// Milliseconds from now until `deadline` (negative once passed; INT64_MAX for "no deadline").
static inline int64_t cgrpc_millis_until(gpr_timespec deadline) {
    if (gpr_time_cmp(deadline, gpr_inf_future(deadline.clock_type)) == 0) return INT64_MAX;
    gpr_timespec now = gpr_now(deadline.clock_type);
    gpr_timespec diff = gpr_time_sub(deadline, now);
    return (int64_t)diff.tv_sec * 1000 + diff.tv_nsec / 1000000;
}

/* Abseil's switch for its debug deadlock detector (absl::SetMutexDeadlockDetectionMode, in
   Debian bookworm's inline namespace `debian3`), referenced weakly: resolved from the static
   archive in the release link of the CSI plugins, from the loaded libabsl_synchronization in the
   dynamic one, and NULL with any other Abseil. Returns whether it was found and turned off. */
extern void cgrpc_absl_set_mutex_deadlock_detection_mode(int mode)
    __asm__("_ZN4absl7debian329SetMutexDeadlockDetectionModeENS0_15OnDeadlockCycleE") __attribute__((weak));

static inline int cgrpc_ignore_absl_deadlock_cycles(void) {
    if (cgrpc_absl_set_mutex_deadlock_detection_mode == 0) return 0;
    cgrpc_absl_set_mutex_deadlock_detection_mode(0); /* absl::OnDeadlockCycle::kIgnore */
    return 1;
}

#endif
