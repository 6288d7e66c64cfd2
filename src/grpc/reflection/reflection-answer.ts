import { toBinary, type DescFile, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { Code } from '@connectrpc/connect';

/**
 * The reflection protocol's request and answer, independent of the protocol version: v1 and
 * v1alpha share field names and numbers and differ only in their package.
 */
export type ReflectionQuery =
  | { case: 'fileByFilename'; value: string }
  | { case: 'fileContainingSymbol'; value: string }
  | { case: 'fileContainingExtension'; value: { containingType: string; extensionNumber: number } }
  | { case: 'allExtensionNumbersOfType'; value: string }
  | { case: 'listServices'; value: string }
  | { case: undefined; value?: undefined };

export type ReflectionAnswer =
  | { case: 'fileDescriptorResponse'; value: { fileDescriptorProto: Uint8Array[] } }
  | { case: 'allExtensionNumbersResponse'; value: { baseTypeName: string; extensionNumber: number[] } }
  | { case: 'listServicesResponse'; value: { service: { name: string }[] } }
  | { case: 'errorResponse'; value: { errorCode: number; errorMessage: string } };

/**
 * Answers one reflection request. `sentFiles` holds the names of the files already sent on this
 * stream: dependencies are sent once per stream, the requested file always.
 */
export function answerReflectionQuery(registry: FileRegistry, query: ReflectionQuery, sentFiles: Set<string>): ReflectionAnswer {
  switch (query.case) {
    case 'listServices':
      return { case: 'listServicesResponse', value: { service: listServiceNames(registry).map((name) => ({ name })) } };
    case 'fileByFilename':
      return fileAnswer(registry.getFile(query.value), sentFiles, `file not found: ${query.value}`);
    case 'fileContainingSymbol':
      return fileAnswer(fileOfSymbol(registry, query.value), sentFiles, `symbol not found: ${query.value}`);
    case 'fileContainingExtension': {
      const extendee = registry.getMessage(query.value.containingType);
      const extension = extendee && registry.getExtensionFor(extendee, query.value.extensionNumber);
      return fileAnswer(
        extension?.file,
        sentFiles,
        `extension ${query.value.extensionNumber} of ${query.value.containingType} not found`,
      );
    }
    case 'allExtensionNumbersOfType': {
      const message = registry.getMessage(query.value);
      if (!message) return notFound(`type not found: ${query.value}`);
      const numbers: number[] = [];
      for (const type of registry) {
        if (type.kind === 'extension' && type.extendee.typeName === message.typeName) numbers.push(type.number);
      }
      return { case: 'allExtensionNumbersResponse', value: { baseTypeName: message.typeName, extensionNumber: numbers.sort((a, b) => a - b) } };
    }
    default:
      return { case: 'errorResponse', value: { errorCode: Code.InvalidArgument, errorMessage: 'empty reflection request' } };
  }
}

function listServiceNames(registry: FileRegistry): string[] {
  const names: string[] = [];
  for (const type of registry) if (type.kind === 'service') names.push(type.typeName);
  return names.sort();
}

/** Resolves a fully qualified name of a message, enum, service, extension, method or enum value. */
function fileOfSymbol(registry: FileRegistry, symbol: string): DescFile | undefined {
  const name = symbol.startsWith('.') ? symbol.slice(1) : symbol;
  const type = registry.get(name);
  if (type) return type.file;
  // Methods and enum values are not types of their own: look up their parent.
  const dot = name.lastIndexOf('.');
  if (dot < 0) return undefined;
  const parent = registry.get(name.slice(0, dot));
  const member = name.slice(dot + 1);
  if (parent?.kind === 'service' && parent.methods.some((method) => method.name === member)) return parent.file;
  if (parent?.kind === 'message' && parent.fields.some((field) => field.name === member)) return parent.file;
  return undefined;
}

function fileAnswer(file: DescFile | undefined, sentFiles: Set<string>, missing: string): ReflectionAnswer {
  if (!file) return notFound(missing);
  const files = [file];
  sentFiles.add(file.name);
  const pending = [...file.dependencies];
  while (pending.length > 0) {
    const dependency = pending.shift()!;
    if (sentFiles.has(dependency.name)) continue;
    sentFiles.add(dependency.name);
    files.push(dependency);
    pending.push(...dependency.dependencies);
  }
  return {
    case: 'fileDescriptorResponse',
    value: { fileDescriptorProto: files.map((each) => toBinary(FileDescriptorProtoSchema, each.proto)) },
  };
}

const notFound = (errorMessage: string): ReflectionAnswer => ({ case: 'errorResponse', value: { errorCode: Code.NotFound, errorMessage } });
