/** An HTTP route of an endpoint, mounted by the gateway besides `POST /api/<actor>/<endpoint>`. */
export interface HttpRoute {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** A path with `:param` segments, e.g. `/notes/:id`. */
  path: string;
}
