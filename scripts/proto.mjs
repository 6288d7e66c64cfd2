#!/usr/bin/env node
// Compiles proto/ with protoc and protoc-gen-es, offline.
//
//   node scripts/proto.mjs generate [--out DIR]   TypeScript into DIR/src/grpc/gen (default: the repo)
//   node scripts/proto.mjs lint                   buf lint of the compiled protos
//   node scripts/proto.mjs image FILE             every proto and its imports as one image (buf curl --schema FILE)
//
// No schema registry is reachable, so the imports come from npm packages: google/api/*.proto
// as sources from google-proto-files, buf/validate/validate.proto (with its own imports) as the
// compiled descriptor @bufbuild/protovalidate ships, handed to protoc as a descriptor set.
// Generated code imports validate_pb from @bufbuild/protovalidate itself, so the rules the
// validator evaluates and the rules the descriptors carry are one and the same schema.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { create, toBinary } = require('@bufbuild/protobuf');
const { FileDescriptorSetSchema } = require('@bufbuild/protobuf/wkt');
const { file_buf_validate_validate } = require('@bufbuild/protovalidate/gen/buf/validate/validate_pb.js');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = join(root, 'proto');
const googleApiDir = resolve(dirname(require.resolve('google-proto-files/google/api/annotations.proto')), '../..');
/** The google.api files this project's protos import (REST mappings). */
const GOOGLE_API_FILES = ['google/api/annotations.proto', 'google/api/field_behavior.proto', 'google/api/http.proto'];
const OUT_SUBDIR = 'src/grpc/gen';
const VALIDATE_PB = '@bufbuild/protovalidate/gen/buf/validate/validate_pb';

/** buf/validate/validate.proto and everything it imports, as one FileDescriptorSet. */
function validateDescriptorSet() {
  const files = new Map();
  const visit = (file) => {
    if (files.has(file.proto.name)) return;
    for (const dependency of file.dependencies) visit(dependency);
    files.set(file.proto.name, file.proto);
  };
  visit(file_buf_validate_validate);
  return toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: [...files.values()] }));
}

function protoFiles() {
  return readdirSync(protoDir, { recursive: true })
    .filter((file) => file.endsWith('.proto'))
    .map((file) => relative(protoDir, join(protoDir, file)))
    .sort();
}

function protoc(args, scratch) {
  const descriptorSet = join(scratch, 'validate.binpb');
  writeFileSync(descriptorSet, validateDescriptorSet());
  execFileSync('protoc', [`--descriptor_set_in=${descriptorSet}`, `-I${protoDir}`, `-I${googleApiDir}`, ...args], { cwd: root, stdio: 'inherit' });
}

function generate(outRoot) {
  const scratch = mkdtempSync(join(tmpdir(), 'proto-'));
  const out = join(outRoot, OUT_SUBDIR);
  try {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    protoc(
      [
        `--plugin=protoc-gen-es=${join(root, 'node_modules/.bin/protoc-gen-es')}`,
        `--es_out=${out}`,
        // TypeScript with extension-less imports, so SWC and Jest resolve them like any source;
        // validate_pb from the validator's package (it has no .proto source here to generate from).
        '--es_opt=target=ts,import_extension=none,rewrite_imports=./buf/validate/*_pb.js:@bufbuild/protovalidate/gen',
        ...GOOGLE_API_FILES,
        ...protoFiles(),
      ],
      scratch,
    );
    // The package exports validate_pb under its .js name only; every other import stays extension-less.
    for (const file of readdirSync(out, { recursive: true }).filter((name) => name.endsWith('.ts'))) {
      const path = join(out, file);
      const text = readFileSync(path, 'utf8');
      const fixed = text.replaceAll(`"${VALIDATE_PB}"`, `"${VALIDATE_PB}.js"`);
      if (fixed !== text) writeFileSync(path, fixed);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Every proto with its imports, compiled into one FileDescriptorSet (a Buf image) at `image`. */
function buildImage(image, scratch) {
  protoc(['--include_imports', '--include_source_info', `--descriptor_set_out=${image}`, ...protoFiles()], scratch);
}

function lint() {
  const scratch = mkdtempSync(join(tmpdir(), 'proto-'));
  try {
    const image = join(scratch, 'image.binpb');
    buildImage(image, scratch);
    const config = {
      version: 'v2',
      lint: {
        use: ['STANDARD'],
        ignore_only: {
          // The reflection protocol's names are fixed by gRPC (grpcurl calls exactly them).
          SERVICE_SUFFIX: ['grpc/reflection'],
          RPC_REQUEST_STANDARD_NAME: ['grpc/reflection'],
          RPC_RESPONSE_STANDARD_NAME: ['grpc/reflection'],
          // ZITADEL's TextQueryMethod and TextFilterMethod use EQUALS as their zero value; renaming
          // it would change the JSON clients send.
          ENUM_ZERO_VALUE_SUFFIX: ['zitadel/object/v2beta/object.proto', 'zitadel/filter/v2/filter.proto', 'zitadel/filter/v2beta/filter.proto'],
        },
      },
    };
    const paths = [...new Set(protoFiles().map((file) => file.split('/')[0]))].flatMap((top) => ['--path', top]);
    execFileSync(join(root, 'node_modules/.bin/buf'), ['lint', `${image}#format=binpb`, '--config', JSON.stringify(config), ...paths], { cwd: root, stdio: 'inherit' });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'generate') {
  const outIndex = rest.indexOf('--out');
  generate(outIndex >= 0 ? resolve(rest[outIndex + 1]) : root);
} else if (command === 'lint') {
  lint();
} else if (command === 'image' && rest.length === 1) {
  const scratch = mkdtempSync(join(tmpdir(), 'proto-'));
  try {
    buildImage(resolve(rest[0]), scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
} else {
  process.stderr.write('usage: node scripts/proto.mjs generate [--out DIR] | lint | image FILE\n');
  process.exit(2);
}
