/** @type {import('jest').Config} */
// @swc/jest in CommonJS mode; NestJS 12, jose, uid and ZITADEL's clients (with nice-grpc) ship ES modules only,
// so they are transformed too.
const swcConfig = {
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true, dynamicImport: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
};

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/libs', '<rootDir>/test'],
  testRegex: '.*\\.spec\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json', 'mjs'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', swcConfig] },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|uid|jose|@scarf|@zitadel|nice-grpc|nice-grpc-common|abort-controller-x)/)'],
  moduleNameMapper: {
    '^@app/event-store(|/.*)$': '<rootDir>/libs/event-store/src$1',
    '^@app/eventsourcing(|/.*)$': '<rootDir>/libs/eventsourcing/src$1',
  },
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/console/global-setup.js',
};
