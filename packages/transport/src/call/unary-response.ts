import type { IncomingHttpHeaders } from "node:http2";
import type { DescMessage, DescMethodUnary, DescService, MessageShape } from "@bufbuild/protobuf";
import type { UnaryResponse } from "@connectrpc/connect";
import { toHeaders } from "../grpc/headers.js";
import type { UnaryResult } from "../http2/unary-call.js";

/**
 * Connect's UnaryResponse for a finished call. `header` and `trailer` are built from node's raw
 * header objects on first access, so calls whose caller never looks at metadata (nearly all)
 * never allocate `Headers` objects.
 *
 * @example
 * ```ts
 * const response = new LazyUnaryResponse(KV.method.range, result);
 * response.message.kvs; // decoded RangeResponse
 * response.header.get("content-type"); // built now
 * ```
 */
export class LazyUnaryResponse<I extends DescMessage, O extends DescMessage> implements UnaryResponse<I, O> {
  readonly stream = false as const;
  readonly service: DescService;
  readonly message: MessageShape<O>;
  /** The endpoint that answered (not part of Connect's UnaryResponse). */
  readonly url: string;
  private rawHeader: IncomingHttpHeaders | undefined;
  private rawTrailer: IncomingHttpHeaders | undefined;
  private builtHeader: Headers | undefined;
  private builtTrailer: Headers | undefined;

  constructor(
    readonly method: DescMethodUnary<I, O>,
    result: UnaryResult<O>,
  ) {
    this.service = method.parent;
    this.message = result.message;
    this.url = result.url;
    this.rawHeader = result.header;
    this.rawTrailer = result.trailer;
  }

  get header(): Headers {
    if (this.builtHeader === undefined) {
      this.builtHeader = toHeaders(this.rawHeader);
      this.rawHeader = undefined;
    }
    return this.builtHeader;
  }

  get trailer(): Headers {
    if (this.builtTrailer === undefined) {
      this.builtTrailer = toHeaders(this.rawTrailer);
      this.rawTrailer = undefined;
    }
    return this.builtTrailer;
  }
}
