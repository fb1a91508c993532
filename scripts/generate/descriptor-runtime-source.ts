/**
 * The JavaScript of gen/runtime/descriptors.js after its shapes table (descriptor-runtime.ts
 * prepends the imports and the table): builders of protobuf-es descriptors, one type at a time,
 * that mirror @bufbuild/protobuf's registry for proto3 files without options other than
 * `deprecated`, `packed`, `jstype` and `idempotency_level`.
 *
 * @example
 * const js = header + shapesTable + runtimeBody;
 */
export const runtimeBody = `
function hydrate(type, plain) {
  const shape = shapes[type];
  const message = Object.create(shape.d);
  message.$typeName = "google.protobuf." + type;
  for (const name of shape.r) message[name] = [];
  for (const name in plain) {
    const value = plain[name];
    const child = shape.m[name];
    message[name] = child === undefined ? value : Array.isArray(value) ? value.map((v) => hydrate(child, v)) : hydrate(child, value);
  }
  return message;
}

const deprecated = (proto) => proto.options?.deprecated ?? false;

function typeName(proto, parent, file) {
  const pkg = file.proto.package;
  return parent ? parent.typeName + "." + proto.name : pkg ? pkg + "." + proto.name : proto.name;
}

function newEnum(proto, file, parent) {
  const desc = {
    kind: "enum", proto, deprecated: deprecated(proto), file, parent, open: true, name: proto.name,
    typeName: typeName(proto, parent, file), value: {}, values: [], sharedPrefix: sharedPrefix(proto),
    toString() { return "enum " + this.typeName; },
  };
  for (const p of proto.value) {
    const value = {
      kind: "enum_value", proto: p, deprecated: deprecated(p), parent: desc, name: p.name,
      localName: safeObjectProperty(desc.sharedPrefix === undefined ? p.name : p.name.substring(desc.sharedPrefix.length)),
      number: p.number, jsonName: p.name,
      toString() { return "enum value " + desc.typeName + "." + p.name; },
    };
    desc.values.push(value);
    desc.value[p.number] ??= value;
  }
  return desc;
}

function sharedPrefix(proto) {
  const prefix = (proto.name.substring(0, 1) + proto.name.substring(1).replace(/[A-Z]/g, (c) => "_" + c)).toLowerCase() + "_";
  for (const value of proto.value) {
    if (!value.name.toLowerCase().startsWith(prefix)) return undefined;
    const rest = value.name.substring(prefix.length);
    if (rest.length == 0 || /^\\d/.test(rest)) return undefined;
  }
  return prefix;
}

function newMessage(proto, file, parent) {
  const desc = {
    kind: "message", proto, deprecated: deprecated(proto), file, parent, name: proto.name,
    typeName: typeName(proto, parent, file), fields: [], field: {}, oneofs: [], members: [],
    nestedEnums: [], nestedMessages: [], nestedExtensions: [],
    toString() { return "message " + this.typeName; },
  };
  for (const p of proto.enumType) desc.nestedEnums.push(newEnum(p, file, desc));
  for (const p of proto.nestedType) desc.nestedMessages.push(newMessage(p, file, desc));
  return desc;
}

function addFields(message, lookup) {
  const oneofs = message.proto.oneofDecl.map((proto) => ({
    kind: "oneof", proto, deprecated: false, parent: message, fields: [], name: proto.name,
    localName: safeObjectProperty(protoCamelCase(proto.name)),
    toString() { return "oneof " + message.typeName + "." + this.name; },
  }));
  for (const proto of message.proto.field) {
    const oneof = Object.prototype.hasOwnProperty.call(proto, "oneofIndex") ? oneofs[proto.oneofIndex] : undefined;
    const field = newField(proto, message, oneof, lookup);
    message.fields.push(field);
    message.field[field.localName] = field;
    if (oneof === undefined) {
      message.members.push(field);
    } else {
      if (oneof.fields.length == 0) message.members.push(oneof);
      oneof.fields.push(field);
    }
  }
  for (const oneof of oneofs) if (oneof.fields.length > 0) message.oneofs.push(oneof);
  for (const child of message.nestedMessages) addFields(child, lookup);
}

const noDefault = () => undefined;

function newField(proto, parent, oneof, lookup) {
  const repeated = proto.label == 3;
  const type = proto.type;
  const field = {
    kind: "field", proto, deprecated: deprecated(proto), name: proto.name, number: proto.number,
    scalar: undefined, message: undefined, enum: undefined,
    presence: repeated ? 2 : oneof || type == 11 ? 1 : 2,
    utf8Validation: true, listKind: undefined, mapKind: undefined, mapKey: undefined,
    delimitedEncoding: undefined, packed: undefined, longAsString: false, getDefaultValue: undefined,
    parent, oneof, localName: oneof ? protoCamelCase(proto.name) : safeObjectProperty(protoCamelCase(proto.name)),
    jsonName: proto.jsonName,
  };
  Object.defineProperty(field, "toString", {
    value: () => "field " + parent.typeName + "." + proto.name, writable: true, enumerable: true, configurable: true,
  });
  const ref = type == 11 || type == 14 ? lookup(proto.typeName.substring(1)) : undefined;
  const longAsString = proto.options?.jstype == 1;
  if (repeated) {
    field.fieldKind = "list";
    if (type == 11) {
      field.listKind = "message";
      field.message = ref;
      field.delimitedEncoding = false;
    } else if (type == 14) {
      field.listKind = "enum";
      field.enum = ref;
    } else {
      field.listKind = "scalar";
      field.scalar = type;
      field.longAsString = longAsString;
    }
    field.packed = type == 9 || type == 12 || type == 11 ? false : proto.options?.packed ?? true;
  } else if (type == 11) {
    field.fieldKind = "message";
    field.message = ref;
    field.delimitedEncoding = false;
    field.getDefaultValue = noDefault;
  } else if (type == 14) {
    field.fieldKind = "enum";
    field.enum = ref;
    field.getDefaultValue = noDefault;
  } else {
    field.fieldKind = "scalar";
    field.scalar = type;
    field.longAsString = longAsString;
    field.getDefaultValue = noDefault;
  }
  return field;
}

function restoreJsonNames(proto) {
  for (const field of proto.field) {
    if (!Object.prototype.hasOwnProperty.call(field, "jsonName")) field.jsonName = protoCamelCase(field.name);
  }
  proto.nestedType.forEach(restoreJsonNames);
}

/** A lookup of types by full name over the given descriptors and the types nested in them. */
function lookupOf(descs) {
  const types = new Map();
  const add = (desc) => {
    types.set(desc.typeName, desc);
    if (desc.kind == "message") {
      desc.nestedEnums.forEach(add);
      desc.nestedMessages.forEach(add);
    }
  };
  descs.forEach(add);
  return (name) => {
    const desc = types.get(name);
    if (desc === undefined) throw new Error("descriptor of " + name + " not found");
    return desc;
  };
}

/** The descriptor of a proto file, without its types (see complete). */
export function file(plain) {
  const proto = hydrate("FileDescriptorProto", plain);
  const desc = {
    kind: "file", proto, deprecated: deprecated(proto), edition: 999, name: proto.name.replace(/\\.proto$/, ""),
    dependencies: [], enums: [], messages: [], extensions: [], services: [],
    toString() { return "file " + proto.name; },
  };
  return desc;
}

/** A group of messages that refer to each other (a cycle), with the types they use. */
export function messages(file, plains, uses) {
  const group = plains.map((plain) => {
    const proto = hydrate("DescriptorProto", plain);
    restoreJsonNames(proto);
    return newMessage(proto, file, undefined);
  });
  const lookup = lookupOf([...uses, ...group]);
  for (const desc of group) addFields(desc, lookup);
  return group;
}

/** One top-level message, with the types its fields use. */
export function message(file, plain, uses) {
  return messages(file, [plain], uses)[0];
}

/** A member of a group built by messages(). */
export function member(group, index) {
  return group[index];
}

/** A message nested in another. */
export function nestedMessage(parent, index) {
  return parent.nestedMessages[index];
}

/** An enum nested in a message. */
export function nestedEnum(parent, index) {
  return parent.nestedEnums[index];
}

/** A top-level enum. */
export function enumType(file, plain) {
  return newEnum(hydrate("EnumDescriptorProto", plain), file, undefined);
}

/** A service, with the messages its methods take and return. */
export function service(file, plain, uses) {
  const proto = hydrate("ServiceDescriptorProto", plain);
  const lookup = lookupOf(uses);
  const desc = {
    kind: "service", proto, deprecated: deprecated(proto), file, name: proto.name,
    typeName: typeName(proto, undefined, file), methods: [], method: {},
    toString() { return "service " + this.typeName; },
  };
  for (const p of proto.method) {
    const name = p.name;
    const method = {
      kind: "rpc", proto: p, deprecated: deprecated(p), parent: desc, name,
      localName: safeObjectProperty(name.length ? safeObjectProperty(name[0].toLowerCase() + name.substring(1)) : name),
      methodKind: p.clientStreaming ? (p.serverStreaming ? "bidi_streaming" : "client_streaming") : p.serverStreaming ? "server_streaming" : "unary",
      input: lookup(p.inputType.substring(1)), output: lookup(p.outputType.substring(1)),
      idempotency: p.options?.idempotencyLevel ?? 0,
      toString() { return "rpc " + desc.typeName + "." + name; },
    };
    desc.methods.push(method);
    desc.method[method.localName] = method;
  }
  return desc;
}

/** Fills a file's lists and its proto with its dependencies and top-level types (in declaration order). */
export function complete(file, dependencies, messages, enums, services) {
  file.dependencies = dependencies;
  file.messages = messages;
  file.enums = enums;
  file.services = services;
  file.proto.dependency = dependencies.map((d) => d.proto.name);
  file.proto.messageType = messages.map((d) => d.proto);
  file.proto.enumType = enums.map((d) => d.proto);
  file.proto.service = services.map((d) => d.proto);
  return file;
}
`;
