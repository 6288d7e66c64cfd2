import { explainStartupFailure } from './startup-failure';

describe('explainStartupFailure', () => {
  const missingDatabase = Object.assign(new Error('database "actions" does not exist'), { code: '3D000' });

  it('answers a missing PostgreSQL database with the createdb command for it', () => {
    expect(explainStartupFailure(missingDatabase, 'postgres://actions:secret@db.internal:6543/actions?schema=svc')).toBe(
      'PostgreSQL database "actions" of DATABASE_URL does not exist on db.internal:6543; create it with: createdb -h db.internal -p 6543 -U actions actions',
    );
    expect(explainStartupFailure(new Error('wrapped', { cause: missingDatabase }), 'postgres://postgres@localhost/my%20db')).toBe(
      `PostgreSQL database "my db" of DATABASE_URL does not exist on localhost; create it with: createdb -h localhost -U postgres 'my db'`,
    );
  });

  it('leaves other failures to the stack', () => {
    expect(explainStartupFailure(new Error('boom'), 'postgres://localhost/actions')).toBeUndefined();
    expect(explainStartupFailure(missingDatabase, undefined)).toBeUndefined();
  });
});
