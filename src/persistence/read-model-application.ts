/**
 * application_name of the read model's PostgreSQL sessions. They never append events, so the
 * event store's read horizon ignores their transactions (see PostgresEventStoreOptions).
 */
export const READ_MODEL_APPLICATION_NAME = 'actions-read-model';
