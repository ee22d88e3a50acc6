#!/usr/bin/env python3
"""Generates the Swift value types and protobuf-c codecs of the CSI module.

Input: a FileDescriptorSet of proto/csi.proto built with `protoc --include_imports
--include_source_info`, and the protobuf-c header generated from the same file (every C symbol the
Swift code names is checked against it, so a naming mismatch fails here rather than in the
compiler). Output, into the given directory:

  CSIMessages.swift  one struct per message of package csi.v1 (nested messages as nested types),
                     with oneof enums
  CSIEnums.swift     one Swift enum per proto enum, with an `unrecognized(Int32)` case
  CSICodecs.swift    the CProtoMessage conformances: C struct <-> Swift value, per message
  CSIMethods.swift   every RPC's gRPC path and message types, under CSIService.<Service>

Mapping: scalars to Swift scalars, `string` to String, `bytes` to [UInt8], enums to Swift enums,
message fields to optionals, google.protobuf wrappers to optionals of the wrapped value,
google.protobuf.Timestamp to `Timestamp?`, map<string, string> to [String: String], repeated to
arrays, each oneof to an optional enum property named after the oneof.

Usage: gen-swift-csi.py DESCRIPTOR_SET CSI_PB_C_HEADER OUT_DIR
"""
import os
import re
import sys

from google.protobuf import descriptor_pb2

FD = descriptor_pb2.FieldDescriptorProto
PACKAGE = "csi.v1"

SWIFT_KEYWORDS = {
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import",
    "init", "inout", "internal", "let", "open", "operator", "private", "precedencegroup",
    "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias", "var",
    "break", "case", "catch", "continue", "default", "defer", "do", "else", "fallthrough", "for",
    "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while", "Any", "as",
    "await", "false", "is", "nil", "self", "Self", "super", "throws", "true", "try", "Type",
    "Protocol",
}

# Scalar proto type -> (Swift type, default literal). Bool is stored as protobuf_c_boolean (int).
SCALARS = {
    FD.TYPE_INT64: ("Int64", "0"), FD.TYPE_SINT64: ("Int64", "0"), FD.TYPE_SFIXED64: ("Int64", "0"),
    FD.TYPE_UINT64: ("UInt64", "0"), FD.TYPE_FIXED64: ("UInt64", "0"),
    FD.TYPE_INT32: ("Int32", "0"), FD.TYPE_SINT32: ("Int32", "0"), FD.TYPE_SFIXED32: ("Int32", "0"),
    FD.TYPE_UINT32: ("UInt32", "0"), FD.TYPE_FIXED32: ("UInt32", "0"),
    FD.TYPE_DOUBLE: ("Double", "0"), FD.TYPE_FLOAT: ("Float", "0"),
    FD.TYPE_BOOL: ("Bool", "false"),
}

# Wrapper messages become optionals of their value; the C side is a pointer to the wrapper.
WRAPPERS = {
    ".google.protobuf.BoolValue": ("Bool", "google__protobuf__bool_value__init", "Google__Protobuf__BoolValue"),
    ".google.protobuf.Int64Value": ("Int64", "google__protobuf__int64_value__init", "Google__Protobuf__Int64Value"),
    ".google.protobuf.UInt64Value": ("UInt64", "google__protobuf__uint64_value__init", "Google__Protobuf__UInt64Value"),
    ".google.protobuf.Int32Value": ("Int32", "google__protobuf__int32_value__init", "Google__Protobuf__Int32Value"),
    ".google.protobuf.UInt32Value": ("UInt32", "google__protobuf__uint32_value__init", "Google__Protobuf__UInt32Value"),
    ".google.protobuf.DoubleValue": ("Double", "google__protobuf__double_value__init", "Google__Protobuf__DoubleValue"),
    ".google.protobuf.FloatValue": ("Float", "google__protobuf__float_value__init", "Google__Protobuf__FloatValue"),
    ".google.protobuf.StringValue": ("String", "google__protobuf__string_value__init", "Google__Protobuf__StringValue"),
}
TIMESTAMP = ".google.protobuf.Timestamp"


def fail(msg):
    sys.exit(f"gen-swift-csi: {msg}")


def escape(name):
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


def lower_camel(snake):
    parts = snake.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def upper_camel(snake):
    return "".join(p[:1].upper() + p[1:] for p in snake.split("_"))


def enum_case_name(proto_value):
    return lower_camel(proto_value.lower())


def camel_to_lower(name):
    """protoc-c's function-name mangling of one name component: FooBar -> foo_bar, RPC -> rpc."""
    out = name[:1].lower()
    for prev, ch in zip(name, name[1:]):
        if ch.isupper() and not prev.isupper() and prev != "_":
            out += "_"
        out += ch.lower()
    return out


# Extension numbers of csi.proto's custom options (`extend google.protobuf.*Options`).
CSI_SECRET = 1059
ALPHA = 1060  # alpha_field, alpha_message, alpha_enum, alpha_enum_value share the number


def true_options(options):
    """Numbers of the bool options set to true in an *Options message. descriptor_pb2 does not
    know csi.proto's extensions, so they arrive as unknown fields: read them off the wire."""
    data, i, found = options.SerializeToString(), 0, set()

    def varint():
        nonlocal i
        shift = value = 0
        while True:
            b = data[i]
            i += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return value

    while i < len(data):
        tag = varint()
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            if varint():
                found.add(number)
        elif wire == 2:
            i += varint()
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            fail(f"unexpected wire type {wire} in options")
    return found


class Model:
    """Everything the templates need, indexed by fully qualified proto name (leading dot)."""

    def __init__(self, fds, header):
        self.header = header
        self.messages = {}   # fqn -> (DescriptorProto, components, source path)
        self.enums = {}      # fqn -> (EnumDescriptorProto, components, source path)
        self.comments = {}   # source path tuple -> comment text
        self.csi_file = None
        for f in fds.file:
            for loc in f.source_code_info.location:
                if f.package == PACKAGE and loc.leading_comments:
                    self.comments[tuple(loc.path)] = loc.leading_comments
            prefix = "." + f.package if f.package else ""
            for i, m in enumerate(f.message_type):
                self._add_message(prefix, [], m, (4, i), f.package == PACKAGE)
            for i, e in enumerate(f.enum_type):
                self._add_enum(prefix, [], e, (5, i), f.package == PACKAGE)
            if f.package == PACKAGE:
                self.csi_file = f
        if self.csi_file is None:
            fail(f"no file with package {PACKAGE} in the descriptor set")

    def _add_message(self, prefix, outer, m, path, ours):
        comps = outer + [m.name]
        fqn = prefix + "." + ".".join(comps)
        if ours:
            self.messages[fqn] = (m, comps, path)
        for i, n in enumerate(m.nested_type):
            self._add_message(prefix, comps, n, path + (3, i), ours)
        for i, e in enumerate(m.enum_type):
            self._add_enum(prefix, comps, e, path + (4, i), ours)
        if not ours:
            self.messages.setdefault(fqn, (m, comps, None))

    def _add_enum(self, prefix, outer, e, path, ours):
        if ours:
            self.enums[prefix + "." + ".".join(outer + [e.name])] = (e, outer + [e.name], path)

    # --- names ---------------------------------------------------------------------------------

    def swift_type(self, fqn):
        comps = (self.messages.get(fqn) or self.enums.get(fqn) or fail(f"unknown type {fqn}"))[1]
        return ".".join(escape(c) for c in comps)

    def c_struct(self, fqn):
        comps = self.messages[fqn][1]
        name = "Csi__V1__" + "__".join(comps)
        self.require(rf"\bstruct\s+{name}\b", name)
        return name

    def c_func(self, fqn, suffix):
        comps = self.messages[fqn][1]
        name = "csi__v1__" + "__".join(camel_to_lower(c) for c in comps) + "__" + suffix
        self.require(rf"\b{name}\b", name)
        return name

    def require(self, pattern, what):
        if not re.search(pattern, self.header):
            fail(f"{what} is not in the protobuf-c header; regenerate it or fix the name mangling")

    def is_map(self, field):
        if field.type != FD.TYPE_MESSAGE or field.label != FD.LABEL_REPEATED:
            return False
        entry = self.messages.get(field.type_name)
        return entry is not None and entry[0].options.map_entry

    def doc(self, path, indent, fallback, options=None):
        text = self.comments.get(tuple(path))
        lines = [l.strip() for l in text.strip().splitlines()] if text else []
        lines += ([""] if lines else []) + [fallback]
        flags = true_options(options) if options is not None else set()
        if ALPHA in flags:
            lines.append("Alpha in CSI v1.12.0.")
        if CSI_SECRET in flags:
            lines.append("Secret (`csi_secret`): redacted from `description` and mirrors; never log it.")
        return "".join(f"{indent}///{(' ' + l) if l else ''}\n" for l in lines)


# --- Swift types of fields -----------------------------------------------------------------------

def field_kind(model, field):
    """Classifies a field: returns (kind, swift_type, default)."""
    if field.HasField("proto3_optional") and field.proto3_optional:
        fail(f"proto3 optional field {field.name} is not supported")
    repeated = field.label == FD.LABEL_REPEATED
    if model.is_map(field):
        entry = model.messages[field.type_name][0]
        key, value = entry.field[0], entry.field[1]
        if key.type != FD.TYPE_STRING or value.type != FD.TYPE_STRING:
            fail(f"map field {field.name}: only map<string, string> is supported")
        return "map", "[String: String]", "[:]"
    if field.type == FD.TYPE_STRING:
        base = ("string", "String", '""')
    elif field.type == FD.TYPE_BYTES:
        base = ("bytes", "[UInt8]", "[]")
    elif field.type in SCALARS:
        swift, default = SCALARS[field.type]
        base = ("bool" if field.type == FD.TYPE_BOOL else "scalar", swift, default)
    elif field.type == FD.TYPE_ENUM:
        enum = model.enums[field.type_name][0]
        zero = next(v for v in enum.value if v.number == 0)
        base = ("enum", model.swift_type(field.type_name), "." + escape(enum_case_name(zero.name)))
    elif field.type == FD.TYPE_MESSAGE and field.type_name in WRAPPERS:
        if repeated:
            fail(f"repeated wrapper field {field.name} is not supported")
        return "wrapper", WRAPPERS[field.type_name][0] + "?", "nil"
    elif field.type == FD.TYPE_MESSAGE and field.type_name == TIMESTAMP:
        if repeated:
            fail(f"repeated timestamp field {field.name} is not supported")
        return "timestamp", "Timestamp?", "nil"
    elif field.type == FD.TYPE_MESSAGE:
        base = ("message", model.swift_type(field.type_name), "nil")
    else:
        fail(f"field {field.name}: unsupported type {field.type}")
    kind, swift, default = base
    if repeated:
        return "repeated_" + kind, f"[{swift}]", "[]"
    if kind == "message":
        return kind, swift + "?", "nil"
    return kind, swift, default


# --- CSIMessages.swift -------------------------------------------------------------------------

def gen_messages(model):
    out = [HEADER]
    for fqn, (m, comps, path) in model.messages.items():
        if m.options.map_entry or path is None:
            continue
        swift_name = escape(comps[-1])
        indent = "    " if len(comps) > 1 else ""
        body = []
        if len(comps) > 1:
            body.append(f"extension {model.swift_type(fqn.rsplit('.', 1)[0])} {{\n")
        body.append(model.doc(path, indent, f"`{fqn[1:]}`.", m.options))
        body.append(f"{indent}public struct {swift_name}: CSIMessage, Hashable {{\n")
        props = []   # (swift name, swift type, default), in field order; a oneof where its first member is
        oneofs = {}  # oneof index -> list of fields
        for i, field in enumerate(m.field):
            if field.HasField("oneof_index"):
                if field.oneof_index not in oneofs:
                    oneof = m.oneof_decl[field.oneof_index].name
                    enum_name = upper_camel(oneof) + "OneOf"
                    name = escape(lower_camel(oneof))
                    body.append(f"{indent}    /// Oneof `{oneof}`; nil when no member is set.\n")
                    body.append(f"{indent}    public var {name}: {enum_name}? = nil\n")
                    props.append((name, enum_name + "?", "nil"))
                oneofs.setdefault(field.oneof_index, []).append(field)
                continue
            kind, swift, default = field_kind(model, field)
            name = escape(lower_camel(field.name))
            body.append(model.doc(path + (2, i), indent + "    ", f"Field `{field.name}` = {field.number}.",
                                  field.options))
            body.append(f"{indent}    public var {name}: {swift} = {default}\n")
            props.append((name, swift, default))
        body.append(("\n" if props else "") + f"{indent}    public init() {{}}\n")
        if props:
            params = ", ".join(f"{p[0]}: {p[1]} = {p[2]}" for p in props)
            body.append(f"\n{indent}    public init({params}) {{\n")
            for p in props:
                body.append(f"{indent}        self.{p[0]} = {p[0]}\n")
            body.append(f"{indent}    }}\n")
        for index, fields in oneofs.items():
            oneof = m.oneof_decl[index].name
            body.append(f"\n{indent}    /// The members of oneof `{oneof}`.\n")
            body.append(f"{indent}    public enum {upper_camel(oneof)}OneOf: Sendable, Hashable {{\n")
            for field in fields:
                kind, swift, _ = field_kind(model, field)
                if kind in ("wrapper", "timestamp", "message"):
                    swift = swift[:-1]  # a oneof member is present by being chosen
                body.append(f"{indent}        case {escape(lower_camel(field.name))}({swift})\n")
            body.append(f"{indent}    }}\n")
        body.append(f"{indent}}}\n")
        if len(comps) > 1:
            body.append("}\n")
        body.append(redacting_mirror(model, fqn, m))
        out.append("\n" + "".join(body))
    return "".join(out)


def redacting_mirror(model, fqn, m):
    """For a message with `csi_secret` fields: a CustomReflectable conformance that shows every
    field but the secrets' values, so `"\\(request)"` in a log line cannot leak them."""
    if not any(CSI_SECRET in true_options(f.options) for f in m.field):
        return ""
    children, seen_oneofs = [], set()
    for field in m.field:
        if field.HasField("oneof_index"):
            if field.oneof_index not in seen_oneofs:
                seen_oneofs.add(field.oneof_index)
                oneof = lower_camel(m.oneof_decl[field.oneof_index].name)
                children.append(f'"{oneof}": {escape(oneof)} as Any')
            continue
        name = lower_camel(field.name)
        value = escape(name)
        kind = field_kind(model, field)[0]
        if kind in ("message", "wrapper", "timestamp"):
            value += " as Any"  # an optional, boxed on purpose
        if CSI_SECRET in true_options(field.options):
            if kind == "map":
                value = f'{value}.mapValues {{ _ in "<redacted>" }}'
            elif kind == "string":
                value = f'{value}.isEmpty ? "" : "<redacted>"'
            else:
                fail(f"secret field {field.name}: only strings and string maps can be redacted")
        children.append(f'"{name}": {value}')
    lines = "".join(f"            {c},\n" for c in children)
    return (f"\nextension {model.swift_type(fqn)}: CustomReflectable {{\n"
            f"    /// Every field, with the values of secret (`csi_secret`) fields replaced by `<redacted>`.\n"
            f"    public var customMirror: Mirror {{\n"
            f"        Mirror(self, children: [\n{lines}        ], displayStyle: .struct)\n"
            f"    }}\n}}\n")


# --- CSIEnums.swift ----------------------------------------------------------------------------

def gen_enums(model):
    out = [HEADER]
    for fqn, (e, comps, path) in model.enums.items():
        indent = "    " if len(comps) > 1 else ""
        body = []
        if len(comps) > 1:
            body.append(f"extension {model.swift_type(fqn.rsplit('.', 1)[0])} {{\n")
        body.append(model.doc(path, indent, f"`{fqn[1:]}`.", e.options))
        body.append(f"{indent}///\n{indent}/// Numbers this build does not know decode as `unrecognized` and encode back\n"
                    f"{indent}/// unchanged.\n")
        body.append(f"{indent}public enum {escape(comps[-1])}: RawRepresentable, Sendable, Hashable, CaseIterable {{\n")
        seen = {}
        for i, v in enumerate(e.value):
            if v.number in seen:
                fail(f"enum {fqn}: aliases are not supported")
            seen[v.number] = v
            body.append(model.doc(path + (2, i), indent + "    ", f"`{v.name}` = {v.number}.", v.options))
            body.append(f"{indent}    case {escape(enum_case_name(v.name))}\n")
        body.append(f"{indent}    /// A value not in this build's copy of the schema.\n")
        body.append(f"{indent}    case unrecognized(Int32)\n\n")
        zero = escape(enum_case_name(seen[0].name))
        body.append(f"{indent}    /// The proto3 default, `{seen[0].name}`.\n")
        body.append(f"{indent}    public init() {{\n{indent}        self = .{zero}\n{indent}    }}\n\n")
        body.append(f"{indent}    public init(rawValue: Int32) {{\n{indent}        switch rawValue {{\n")
        for v in e.value:
            body.append(f"{indent}        case {v.number}: self = .{escape(enum_case_name(v.name))}\n")
        body.append(f"{indent}        default: self = .unrecognized(rawValue)\n{indent}        }}\n{indent}    }}\n\n")
        body.append(f"{indent}    public var rawValue: Int32 {{\n{indent}        switch self {{\n")
        for v in e.value:
            body.append(f"{indent}        case .{escape(enum_case_name(v.name))}: {v.number}\n")
        body.append(f"{indent}        case .unrecognized(let value): value\n{indent}        }}\n{indent}    }}\n\n")
        known = ", ".join("." + escape(enum_case_name(v.name)) for v in e.value)
        body.append(f"{indent}    /// The values the schema names (never `unrecognized`).\n")
        body.append(f"{indent}    public static let allCases: [Self] = [{known}]\n\n")
        body.append(f"{indent}    // Equality by number, so `.unrecognized(n)` equals the named case for n.\n")
        body.append(f"{indent}    public static func == (lhs: Self, rhs: Self) -> Bool {{\n"
                    f"{indent}        lhs.rawValue == rhs.rawValue\n{indent}    }}\n\n")
        body.append(f"{indent}    public func hash(into hasher: inout Hasher) {{\n"
                    f"{indent}        hasher.combine(rawValue)\n{indent}    }}\n")
        body.append(f"{indent}}}\n")
        if len(comps) > 1:
            body.append("}\n")
        out.append("\n" + "".join(body))
    return "".join(out)


# --- CSICodecs.swift ---------------------------------------------------------------------------

def decode_value(model, kind, field, cexpr, ctx):
    """Swift expression turning one C value (of a singular field) into its Swift value."""
    if kind == "string":
        return f"try CRead.string({cexpr}, {ctx})"
    if kind == "bytes":
        return f"CRead.bytes({cexpr})"
    if kind == "bool":
        return f"{cexpr} != 0"
    if kind == "scalar":
        return cexpr
    if kind == "enum":
        # `.init`, not the type name: `Outer.`Type`(…)` would parse as the metatype.
        return f".init(rawValue: Int32(truncatingIfNeeded: {cexpr}.rawValue))"
    if kind == "message":
        return f'try CRead.message({cexpr}, field: "{field.name}") as {model.swift_type(field.type_name)}'
    if kind == "wrapper":
        swift = WRAPPERS[field.type_name][0]
        if swift == "Bool":
            return f"{cexpr}.pointee.value != 0"
        if swift == "String":
            return f"try CRead.string({cexpr}.pointee.value, {ctx})"
        return f"{cexpr}.pointee.value"
    if kind == "timestamp":
        return f"Timestamp(seconds: {cexpr}.pointee.seconds, nanos: {cexpr}.pointee.nanos)"
    fail(f"no decoder for {kind}")


def encode_value(model, kind, field, value):
    """Swift expression producing the C value of one singular field's Swift value."""
    if kind == "string":
        return f"arena.string({value})"
    if kind == "bytes":
        return f"arena.bytes({value})"
    if kind == "bool":
        return f"{value} ? 1 : 0"
    if kind == "scalar":
        return value
    if kind == "enum":
        return f".init(rawValue: .init(truncatingIfNeeded: {value}.rawValue))"
    if kind == "message":
        return f"arena.message({value})"
    if kind == "wrapper":
        swift, init, cstruct = WRAPPERS[field.type_name]
        inner = {"Bool": f"{value} ? 1 : 0", "String": f"arena.string({value})"}.get(swift, value)
        return f"arena.wrapper({cstruct}.self, {init}) {{ $0.pointee.value = {inner} }}"
    if kind == "timestamp":
        return (f"arena.wrapper(Google__Protobuf__Timestamp.self, google__protobuf__timestamp__init) "
                f"{{ $0.pointee.seconds = {value}.seconds; $0.pointee.nanos = {value}.nanos }}")
    fail(f"no encoder for {kind}")


def gen_codecs(model):
    out = [HEADER, "\nimport CSIProtoC\n"]
    for fqn, (m, comps, path) in model.messages.items():
        if m.options.map_entry or path is None:
            continue
        swift = model.swift_type(fqn)
        cstruct = model.c_struct(fqn)
        top = len(comps) == 1
        lines = [f"\n// MARK: {fqn[1:]}\n\n", f"extension {swift}: CProtoMessage {{\n"]
        lines.append(f"    typealias CStruct = {cstruct}\n")
        lines.append(f'    static let protoName = "{fqn[1:]}"\n\n')
        lines.append(f"    static func cInit(_ c: UnsafeMutablePointer<CStruct>) {{\n"
                     f"        {model.c_func(fqn, 'init')}(c)\n    }}\n")
        if top:
            # Top-level messages have typed protobuf-c entry points; nested ones go through the
            # generic protobuf_c_message_* functions (CProtoMessage's defaults).
            lines.append(
                f"\n    static func cPackedSize(_ c: UnsafePointer<CStruct>) -> Int {{\n"
                f"        {model.c_func(fqn, 'get_packed_size')}(c)\n    }}\n\n"
                f"    static func cPack(_ c: UnsafePointer<CStruct>, into out: UnsafeMutablePointer<UInt8>) -> Int {{\n"
                f"        {model.c_func(fqn, 'pack')}(c, out)\n    }}\n\n"
                f"    static func cUnpack(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeMutablePointer<CStruct>? {{\n"
                f"        {model.c_func(fqn, 'unpack')}(nil, bytes.count, bytes.baseAddress)\n    }}\n\n"
                f"    static func cFreeUnpacked(_ c: UnsafeMutablePointer<CStruct>) {{\n"
                f"        {model.c_func(fqn, 'free_unpacked')}(c, nil)\n    }}\n")
        lines.append(
            "\n    public init(serializedBytes bytes: [UInt8]) throws(CSIDecodingError) {\n"
            "        self = try CCodec.decode(bytes)\n    }\n\n"
            "    public func serializedBytes() -> [UInt8] {\n"
            "        CCodec.encode(self)\n    }\n")

        decode, encode = [], []
        oneofs = {}
        for field in m.field:
            if field.HasField("oneof_index"):
                oneofs.setdefault(field.oneof_index, []).append(field)
                continue
            kind, _, _ = field_kind(model, field)
            name = escape(lower_camel(field.name))
            cname = field.name
            ctx = f'field: "{field.name}", of: Self.protoName'
            if kind == "map":
                entry = model.messages[field.type_name][1]
                entry_init = model.c_func(field.type_name, "init")
                decode.append(f"self.{name} = try CRead.map(m.{cname}, count: m.n_{cname}, {ctx}) "
                              f"{{ ($0.pointee.key, $0.pointee.value) }}")
                encode.append(f"(c.pointee.n_{cname}, c.pointee.{cname}) = arena.map({name}, {entry_init}) "
                              f"{{ $0.pointee.key = $1; $0.pointee.value = $2 }}")
            elif kind.startswith("repeated_"):
                elem = kind[len("repeated_"):]
                if elem == "message":
                    decode.append(f"self.{name} = try CRead.messages(m.{cname}, count: m.n_{cname}, {ctx})")
                    encode.append(f"(c.pointee.n_{cname}, c.pointee.{cname}) = arena.messages({name})")
                elif elem == "string":
                    decode.append(f"self.{name} = try CRead.strings(m.{cname}, count: m.n_{cname}, {ctx})")
                    encode.append(f"(c.pointee.n_{cname}, c.pointee.{cname}) = arena.strings({name})")
                else:
                    dec = decode_value(model, elem, field, "$0", ctx)
                    enc = encode_value(model, elem, field, "$0")
                    decode.append(f"self.{name} = try CRead.array(m.{cname}, count: m.n_{cname}) {{ {dec} }}")
                    encode.append(f"(c.pointee.n_{cname}, c.pointee.{cname}) = arena.array({name}) {{ {enc} }}")
            elif kind in ("message", "wrapper", "timestamp"):
                decode.append(f"if let p = m.{cname} {{ self.{name} = {decode_value(model, kind, field, 'p', ctx)} }}")
                encode.append(f"if let v = {name} {{ c.pointee.{cname} = {encode_value(model, kind, field, 'v')} }}")
            else:
                decode.append(f"self.{name} = {decode_value(model, kind, field, 'm.' + cname, ctx)}")
                enc = f"c.pointee.{cname} = {encode_value(model, kind, field, name)}"
                # proto3 leaves zero values off the wire; protobuf-c's init already set them.
                encode.append(f"if !{name}.isEmpty {{ {enc} }}" if kind in ("string", "bytes") else enc)
        for index, fields in oneofs.items():
            oneof = m.oneof_decl[index].name
            prop = escape(lower_camel(oneof))
            decode.append(f"switch m.{oneof}_case.rawValue {{")
            encode.append(f"switch {prop} {{")
            for field in fields:
                kind, _, _ = field_kind(model, field)
                case = escape(lower_camel(field.name))
                ctx = f'field: "{field.name}", of: Self.protoName'
                if kind in ("message", "wrapper", "timestamp"):
                    decode.append(f"case {field.number}:\n"
                                  f"    guard let p = m.{field.name} else {{ throw CSIDecodingError(malformed: Self.protoName) }}\n"
                                  f"    self.{prop} = .{case}({decode_value(model, kind, field, 'p', ctx)})")
                else:
                    decode.append(f"case {field.number}: self.{prop} = .{case}({decode_value(model, kind, field, 'm.' + field.name, ctx)})")
                encode.append(f"case .{case}(let v)?:\n"
                              f"    c.pointee.{oneof}_case = .init(rawValue: {field.number})\n"
                              f"    c.pointee.{field.name} = {encode_value(model, kind, field, 'v')}")
            decode.append(f"default: self.{prop} = nil\n}}")
            encode.append("case nil: break\n}")

        def block(stmts):
            return "".join("        " + l + "\n" for s in stmts for l in s.split("\n"))

        lines.append("\n    init(c: UnsafePointer<CStruct>) throws(CSIDecodingError) {\n")
        if decode:
            lines.append("        let m = c.pointee\n        self.init()\n" + block(decode))
        else:
            lines.append("        self.init()\n")
        lines.append("    }\n\n")
        if encode:
            lines.append("    func fill(_ c: UnsafeMutablePointer<CStruct>, _ arena: CArena) {\n" + block(encode) + "    }\n")
        else:
            lines.append("    func fill(_ c: UnsafeMutablePointer<CStruct>, _ arena: CArena) {}\n")
        lines.append("}\n")
        out.append("".join(lines))
    return "".join(out)


# --- CSIMethods.swift --------------------------------------------------------------------------

def gen_methods(model):
    out = [HEADER, "\n/// The RPCs of package csi.v1, one namespace per service: gRPC path and message types.\n",
           "public enum CSIService {}\n"]
    for si, service in enumerate(model.csi_file.service):
        body = [f"\nextension CSIService {{\n"]
        body.append(model.doc((6, si), "    ", f"`{PACKAGE}.{service.name}`.", service.options))
        body.append(f"    public enum {escape(service.name)} {{\n")
        names = []
        for mi, method in enumerate(service.method):
            if method.client_streaming:
                fail(f"{service.name}.{method.name}: client streaming is not supported")
            name = escape(method.name[:1].lower() + method.name[1:])
            names.append(name)
            body.append(model.doc((6, si, 2, mi), "        ", f"`{method.name}`.", method.options))
            body.append(
                f"        public static let {name} = CSIMethod<{model.swift_type(method.input_type)}, "
                f"{model.swift_type(method.output_type)}>(\n"
                f'            path: "/{PACKAGE}.{service.name}/{method.name}", '
                f"serverStreaming: {'true' if method.server_streaming else 'false'})\n")
        body.append(f"\n        /// Every method's gRPC path, in proto order.\n")
        body.append(f"        public static let paths: [String] = [{', '.join(n + '.path' for n in names)}]\n")
        body.append("    }\n}\n")
        out.append("".join(body))
    # A visitor over every method, so code can be generic over the whole API (fuzzing, tests).
    calls = []
    for service in model.csi_file.service:
        for method in service.method:
            calls.append(f"        visitor.visit({escape(service.name)}.{escape(method.name[:1].lower() + method.name[1:])})\n")
    out.append("\n/// Visits each method of ``CSIService`` with its request and response types.\n"
               "public protocol CSIMethodVisitor {\n"
               "    mutating func visit<Request: CSIMessage, Response: CSIMessage>(_ method: CSIMethod<Request, Response>)\n"
               "}\n\nextension CSIService {\n"
               "    /// Calls `visitor` once per RPC, in proto order.\n"
               "    public static func visitAll(_ visitor: inout some CSIMethodVisitor) {\n"
               + "".join(calls) + "    }\n}\n")
    return "".join(out)


HEADER = """\
// Generated by hack/generate/gen-swift-csi.py from proto/csi.proto (run hack/generate/update-generated.sh).
// DO NOT EDIT.
"""


def main():
    if len(sys.argv) != 4:
        fail("usage: gen-swift-csi.py DESCRIPTOR_SET CSI_PB_C_HEADER OUT_DIR")
    fds = descriptor_pb2.FileDescriptorSet()
    with open(sys.argv[1], "rb") as f:
        fds.ParseFromString(f.read())
    with open(sys.argv[2]) as f:
        header = f.read()
    model = Model(fds, header)
    os.makedirs(sys.argv[3], exist_ok=True)
    for name, text in (("CSIMessages.swift", gen_messages(model)),
                       ("CSIEnums.swift", gen_enums(model)),
                       ("CSICodecs.swift", gen_codecs(model)),
                       ("CSIMethods.swift", gen_methods(model))):
        with open(os.path.join(sys.argv[3], name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
