import { ToolError } from './tool.js';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EFBIG: 'file too large',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many levels of symlinks',
  EEXIST: 'already exists',
};

/** Runs a file operation and turns file system errors into tool errors about the path the model gave. */
export async function withFsErrors<T>(display: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (code !== undefined && code !== 'ABORT_ERR') {
      throw new ToolError(`${display}: ${REASONS[code] ?? (err as Error).message}`);
    }
    throw err;
  }
}
