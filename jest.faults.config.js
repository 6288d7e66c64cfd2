/** @type {import('jest').Config} */
// The fault suite (`npm run test:faults`): the built service in child processes, killed, cut off
// from its database and fed hostile input. Run serially (--runInBand); `npm test` leaves it out
// (its specs end in .fault.ts, not .spec.ts).
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/faults'],
  testRegex: '.*\\.fault\\.ts$',
  testTimeout: 120000,
};
