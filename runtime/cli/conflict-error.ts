import { FuseError } from "../errors/index.ts";
import { ErrorCode } from "../protocol/index.ts";

/** A command would overwrite or contradict something that exists. */
export class ConflictError extends FuseError {
  constructor(message: string) {
    super(ErrorCode.CONFLICT, message);
  }
}
