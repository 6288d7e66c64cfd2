/**
 * The condition an execution reacts to, and its id (the execution aggregate's id).
 *
 * ID(type, value) = type + value when value starts with "/", else type + "/" + value;
 * "all" is the bare type; an event group gets the suffix ".*".
 *
 * For the mapping to be reversible the values are constrained (see {@link conditionProblem}):
 * a method is a full method name "/pkg.Service/Method", a service contains no "/", other
 * values do not start with "/", and an event name does not end in ".*" (that marks a group).
 */
export type ConditionType = 'request' | 'response' | 'function' | 'event';

export type Condition =
  | { type: 'request' | 'response'; match: 'method' | 'service'; value: string }
  | { type: 'request' | 'response' | 'event'; match: 'all' }
  | { type: 'function'; match: 'name'; value: string }
  | { type: 'event'; match: 'event' | 'group'; value: string };

export type ExecutionType = 'request' | 'response' | 'event' | 'function';

const GROUP_SUFFIX = '.*';

/** Groups may be given with or without the ".*" suffix; the canonical form has none. */
export function normalizeCondition(condition: Condition): Condition {
  return condition.match === 'group' ? { ...condition, value: stripGroupSuffix(condition.value) } : condition;
}

const stripGroupSuffix = (group: string): string => (group.endsWith(GROUP_SUFFIX) ? group.slice(0, -GROUP_SUFFIX.length) : group);

/**
 * Why a condition's value cannot be turned into an id, or undefined when it can. Values that
 * would collide with another condition's id are refused instead of silently aliased.
 */
export function conditionProblem(condition: Condition): string | undefined {
  if (condition.match === 'all') return undefined;
  const { value } = condition;
  switch (condition.match) {
    case 'method':
      return /^\/[^/]+\/.+$/.test(value) ? undefined : 'must be a full method name such as "/zitadel.session.v2.SessionService/ListSessions"';
    case 'service':
      return value.includes('/') ? 'must be a service name without "/"' : undefined;
    case 'event':
      if (value.startsWith('/')) return 'must not start with "/"';
      return value.endsWith(GROUP_SUFFIX) ? 'must not end with ".*" (use group for event groups)' : undefined;
    case 'group': {
      const group = stripGroupSuffix(value);
      if (group.startsWith('/')) return 'must not start with "/"';
      return group === '' || group.endsWith(GROUP_SUFFIX) ? 'must name an event group such as "user.human"' : undefined;
    }
    case 'name':
      return value.startsWith('/') ? 'must not start with "/"' : undefined;
  }
}

export function conditionToId(condition: Condition): string {
  const normalized = normalizeCondition(condition);
  switch (normalized.match) {
    case 'all':
      return normalized.type;
    case 'group':
      return joinId(normalized.type, normalized.value + GROUP_SUFFIX);
    default:
      return joinId(normalized.type, normalized.value);
  }
}

function joinId(type: ConditionType, value: string): string {
  return value.startsWith('/') ? type + value : `${type}/${value}`;
}

/** The inverse of {@link conditionToId}; undefined for strings that are no execution id. */
export function idToCondition(id: string): Condition | undefined {
  const slash = id.indexOf('/');
  const type = slash < 0 ? id : id.slice(0, slash);
  const rest = slash < 0 ? undefined : id.slice(slash + 1);
  switch (type) {
    case 'request':
    case 'response':
      if (rest === undefined) return { type, match: 'all' };
      if (rest === '') return undefined;
      return rest.includes('/') ? { type, match: 'method', value: `/${rest}` } : { type, match: 'service', value: rest };
    case 'event':
      if (rest === undefined) return { type, match: 'all' };
      if (rest.endsWith(GROUP_SUFFIX) && rest.length > GROUP_SUFFIX.length) {
        const group = rest.slice(0, -GROUP_SUFFIX.length);
        // "event/a.*.*" comes from no acceptable condition: its group would not be canonical.
        return group.endsWith(GROUP_SUFFIX) ? undefined : { type, match: 'group', value: group };
      }
      return rest === '' ? undefined : { type, match: 'event', value: rest };
    case 'function':
      return rest === undefined ? undefined : { type, match: 'name', value: rest };
    default:
      return undefined;
  }
}
