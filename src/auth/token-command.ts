/**
 * The command that prints a token for the embedded key pair, in a source checkout. Free of
 * imports, so the web console shows the same command as the service's start-up lines and /docs.
 */
export const tokenCommand = (instance: string, role: string): string => `npm run -s cli -- ${tokenArguments(instance, role)}`;

/** The CLI's arguments alone, for places that run the CLI another way (the container image). */
export const tokenArguments = (instance: string, role: string): string => `token --instance ${instance} --role ${role}`;
