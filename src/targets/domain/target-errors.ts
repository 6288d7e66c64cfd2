import { ApiError, alreadyExists, invalidArgument, notFound } from '../../common/errors/api-error';

/** The error ids clients match on; they are ZITADEL's, so existing clients keep working. */
export const TargetErrors = {
  nameEmpty: (): ApiError => invalidArgument('COMMAND-ddqbm9us5p', 'Target needs a name'),
  noTimeout: (): ApiError => invalidArgument('COMMAND-39f35d8uri', 'Target needs a timeout greater than zero'),
  badEndpoint: (): ApiError => invalidArgument('COMMAND-1r2k6qo6wg', 'Target needs an absolute http(s) endpoint URL'),
  /** The endpoint is a literal address or localhost that TARGET_ALLOWED_NETWORKS does not allow. */
  endpointNotAllowed: (): ApiError =>
    invalidArgument('COMMAND-x8w2vt4nqp', 'Target endpoint is a loopback, private, link-local or metadata address that TARGET_ALLOWED_NETWORKS does not allow'),
  nameTaken: (): ApiError => alreadyExists('INSTANCE-9axkz0jvzm', 'Target name is already taken'),
  /** Update and get of a missing target. */
  notFound: (): ApiError => notFound('COMMAND-xj14f2cccn', 'Target not found'),
  /** Delete of a missing target. */
  notFoundOnDelete: (): ApiError => notFound('COMMAND-k4s7ucu0ax', 'Target not found'),
};
