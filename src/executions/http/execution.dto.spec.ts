import 'reflect-metadata';
import fc from 'fast-check';
import { ApiValidationPipe } from '../../common/validation/api-validation.pipe';
import { fastParserOf } from '../../common/validation/fast-parsers';
import { DeleteExecutionDto, ListExecutionsDto, SetExecutionDto } from './execution.dto';

/**
 * The fast readings of the hot bodies must agree with class-transformer + class-validator:
 * whatever they accept, the slow path accepts too and turns into the very same DTO (classes
 * included). What they give up on goes to the slow path, which words the error as before.
 */
const slowPipe = new ApiValidationPipe({ fastParsers: false });

async function slowly(dto: unknown, body: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await slowPipe.transform(body, { type: 'body', metatype: dto as never, data: undefined }) };
  } catch (error) {
    return { ok: false, error };
  }
}

const LONG = 'm'.repeat(1000);
const SCALARS = ['', 'x', '/zitadel.session.v2.SessionService/ListSessions', 'zitadel.session.v2.SessionService', '\uFE0F', '\uD83D', '😀'.repeat(500), '😀'.repeat(501), LONG, `${LONG}m`, '12', '-1'];
const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -2, max: 5 }),
  fc.constant(4_294_967_296),
  fc.constant(1.5),
  fc.constantFrom(...SCALARS),
  fc.string({ maxLength: 3 }),
  fc.constant([]),
  fc.constant({}),
);
/** Objects of these keys (and a few the rules do not know, or anchor oneofs on) with `value`s. */
const shaped = (keys: readonly string[], value: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> =>
  fc.dictionary(fc.constantFrom(...keys, 'oneof', 'unknown'), value, { maxKeys: 3 });

const validString = fc.constantFrom('x', '/zitadel.session.v2.SessionService/ListSessions', LONG, '😀'.repeat(500));
const validChoice = (name: string) => fc.oneof(validString.map((value) => ({ [name]: value })), fc.constant({ all: true }));
const validCondition: fc.Arbitrary<unknown> = fc.oneof(
  validChoice('method').map((request) => ({ request })),
  validChoice('service').map((response) => ({ response })),
  validChoice('event').map((event) => ({ event })),
  validString.map((name) => ({ function: { name } })),
);
const choiceObject = fc.oneof(shaped(['method', 'service', 'all'], scalar), shaped(['event', 'group', 'all'], scalar), shaped(['name'], scalar), scalar);
const condition: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: validCondition },
  { weight: 2, arbitrary: shaped(['request', 'response', 'function', 'event'], fc.oneof(choiceObject, validCondition)) },
  { weight: 1, arbitrary: scalar },
);
const validTarget = fc.oneof(validString.map((id) => ({ target: id })), validCondition.map((include) => ({ include })));
const target: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: validTarget },
  { weight: 2, arbitrary: shaped(['target', 'include'], fc.oneof(scalar, condition)) },
);
const targets = fc.oneof({ weight: 4, arbitrary: fc.array(target, { maxLength: 3 }) }, { weight: 1, arbitrary: scalar });
const executionBody = fc.oneof(
  { weight: 2, arbitrary: fc.record({ condition: validCondition, targets: fc.array(validTarget, { minLength: 1, maxLength: 3 }), unknown: scalar }, { requiredKeys: ['condition', 'targets'] }) },
  { weight: 3, arbitrary: fc.record({ condition, targets }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: shaped(['condition', 'targets'], fc.oneof(condition, targets)) },
);
const listBody = fc.oneof(
  fc.record({ query: fc.oneof(shaped(['offset', 'limit', 'asc'], scalar), fc.record({ offset: scalar, limit: scalar, asc: scalar }, { requiredKeys: [] }), scalar) }, { requiredKeys: [] }),
  fc.record({ query: fc.record({ limit: fc.integer({ min: 0, max: 200 }), offset: fc.constantFrom(0, '0', '10', 3) }, { requiredKeys: [] }), queries: fc.constant([]) }, { requiredKeys: ['query'] }),
  shaped(['query', 'queries'], scalar),
);

describe.each([
  ['SetExecutionDto', SetExecutionDto, executionBody],
  ['DeleteExecutionDto', DeleteExecutionDto, executionBody],
  ['ListExecutionsDto', ListExecutionsDto, listBody],
] as const)('the fast reading of %s', (_name, dto, bodies) => {
  it('accepts only what class-validator accepts, as the same DTO', async () => {
    const parse = fastParserOf(dto)!;
    let acceptedFast = 0;
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const fast = parse(body as Record<string, unknown>);
        if (fast === undefined) return;
        acceptedFast += 1;
        const slow = await slowly(dto, body);
        expect(slow).toEqual({ ok: true, value: expect.anything() });
        expect(fast).toStrictEqual((slow as { value: unknown }).value);
      }),
      { numRuns: 1500 },
    );
    // Not a vacuous pass: a good share of the generated bodies took the fast path.
    expect(acceptedFast).toBeGreaterThan(150);
  });

  it('leaves refused bodies to class-validator: the pipe answers with its error', async () => {
    const pipe = new ApiValidationPipe();
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const slow = await slowly(dto, body);
        if (slow.ok) return;
        await expect(pipe.transform(body, { type: 'body', metatype: dto as never, data: undefined })).rejects.toEqual(slow.error);
      }),
      { numRuns: 300 },
    );
  });
});
