/** A mistake in how the command was called: message on stderr, exit status 2. */
export class UsageError extends Error {}
