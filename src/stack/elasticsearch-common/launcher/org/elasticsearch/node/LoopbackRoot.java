package org.elasticsearch.node;

import java.io.IOException;
import java.util.List;

import org.elasticsearch.Build;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.ActionRequest;
import org.elasticsearch.action.ActionRequestValidationException;
import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.TransportAction;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestChannel;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.rest.action.RestActionListener;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.transport.TransportService;
import org.elasticsearch.xcontent.XContentBuilder;

/**
 * {@code GET /} and {@code HEAD /} of the loopback node (the rest-root module is not published): clients'
 * info()/ping() need them. As in that module, the answer comes from the transport action {@value #MAIN_ACTION},
 * so a secured node asks for the {@code monitor} cluster privilege there as a distribution does. Each version's
 * {@code LoopbackNode.RootPlugin} registers {@link #MAIN} and {@link Handler} through its own plugin API.
 */
public final class LoopbackRoot {

    static final String MAIN_ACTION = "cluster:monitor/main";
    public static final ActionType<Response> MAIN = new ActionType<>(MAIN_ACTION);

    private LoopbackRoot() {
    }

    static final class Request extends ActionRequest {
        @Override
        public ActionRequestValidationException validate() {
            return null;
        }
    }

    /** Never leaves the node (the REST layer runs the action locally), so it is never serialized. */
    public static final class Response extends ActionResponse {
        @Override
        public void writeTo(StreamOutput out) {
            throw new UnsupportedOperationException(MAIN_ACTION + " runs on the local node only");
        }
    }

    public static final class Action extends TransportAction<Request, Response> {
        @Inject
        public Action(TransportService transport, ActionFilters filters) {
            super(MAIN_ACTION, filters, transport.getTaskManager(), EsExecutors.DIRECT_EXECUTOR_SERVICE);
        }

        @Override
        protected void doExecute(Task task, Request request, ActionListener<Response> listener) {
            listener.onResponse(new Response());
        }
    }

    public static final class Handler extends BaseRestHandler {
        @Override
        public String getName() {
            return "loopback_root";
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
        }

        @Override
        protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
            return channel -> client.executeLocally(MAIN, new Request(), new RestActionListener<Response>(channel) {
                @Override
                protected void processResponse(Response response) throws IOException {
                    channel.sendResponse(answer(request, channel));
                }
            });
        }

        private static RestResponse answer(RestRequest request, RestChannel channel) throws IOException {
            if (request.method() == RestRequest.Method.HEAD) {
                return new RestResponse(RestStatus.OK, "application/json", "");
            }
            Build build = Build.current();
            XContentBuilder body = channel.newBuilder();
            body.startObject()
                .field("name", "node-1")
                .field("cluster_name", "request-merge")
                .field("cluster_uuid", "_na_")
                .startObject("version")
                .field("number", build.qualifiedVersion())
                .field("build_flavor", build.flavor())
                .field("build_type", build.type().displayName())
                .field("build_hash", build.hash())
                .field("build_date", build.date())
                .field("build_snapshot", build.isSnapshot())
                .field("lucene_version", org.apache.lucene.util.Version.LATEST.toString())
                .field("minimum_wire_compatibility_version", build.minWireCompatVersion())
                .field("minimum_index_compatibility_version", build.minIndexCompatVersion())
                .endObject()
                .field("tagline", "You Know, for Search")
                .endObject();
            return new RestResponse(RestStatus.OK, body);
        }
    }
}
