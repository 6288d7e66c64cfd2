/** Nest injection tokens of the stores; the ProjectionEngine class is its own token. */
export const EVENT_STORE = Symbol('EVENT_STORE');
export const READ_MODEL = Symbol('READ_MODEL');
