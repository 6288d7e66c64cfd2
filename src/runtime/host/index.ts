/**
 * What a host system adds to run its actions: the runtime client, and interceptors for Connect
 * servers and NestJS applications. A host using one framework can import its file alone
 * (connect-interceptor.ts loads no Nest code, nest-interceptor.ts no Connect code).
 */
export { ActionsRuntimeClient, ActionsRunError, forwardedHeaders, type ActionsRuntimeClientOptions, type FunctionAnswer, type HostEvent, type RunFields } from './runtime-client';
export { actionsInterceptor, type ActionsInterceptorOptions } from './connect-interceptor';
export { ActionsMethod, ActionsNestInterceptor, type ActionsNestInterceptorOptions } from './nest-interceptor';
