import { create, createFileRegistry, type DescFile, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

/**
 * A file registry holding the given files and everything they import, so reflection can answer
 * for any symbol of the served services and hand out every file a client needs to decode them.
 */
export function createReflectionRegistry(files: readonly DescFile[]): FileRegistry {
  const ordered: DescFile[] = [];
  const seen = new Set<string>();
  // Dependencies first: the registry resolves imports against files added before.
  const visit = (file: DescFile): void => {
    if (seen.has(file.name)) return;
    seen.add(file.name);
    file.dependencies.forEach(visit);
    ordered.push(file);
  };
  files.forEach(visit);
  return createFileRegistry(create(FileDescriptorSetSchema, { file: ordered.map((file) => file.proto) }));
}
