/**
 * Where npm has the local platform's binaries (PostgreSQL, PostgREST): optional dependencies of
 * the project, so `npm install` succeeds on other systems too, where npm start cannot run.
 */
export const supportedHere = process.platform === 'linux' && process.arch === 'x64';
