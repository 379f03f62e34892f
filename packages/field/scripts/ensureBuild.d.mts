/** Types of ensureBuild.mjs for the server (TypeScript). */
export function ensureFieldBuild(): Promise<string>;
export function fieldDistDir(): string;
