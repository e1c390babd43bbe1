package dev.finetune.api.observability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.finetune.api.problem.OpenAiErrors;
import dev.finetune.core.openai.OpenAiError;
import dev.finetune.core.problem.ProblemKind;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import org.springdoc.core.customizers.GlobalOpenApiCustomizer;
import org.springdoc.core.customizers.GlobalOperationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ResolvableType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.method.HandlerMethod;

/**
 * The OpenAPI document at {@code /v3/api-docs}, written so that generated clients work: every
 * operation needs the bearer API key, has a readable {@code operationId} (its method and resource,
 * e.g. {@code createJob}, unless the controller names it) and a tag (its controller's resource),
 * answers with its real status ({@code 201} for a create that answers {@code ResponseEntity},
 * {@code 204} for {@code ResponseEntity<Void>}) and real content types, and documents every 4xx and
 * 5xx: an RFC 9457 {@code Problem} ({@code application/problem+json}) on the native API, OpenAI's
 * {@code OpenAiErrorResponse} with {@code x-should-retry} on the OpenAI-compatible {@code /v1}. The
 * stable problem types are listed in the {@code Problem} schema. The build checks the served document
 * against the committed {@code platform-api/openapi/openapi.json} ({@code OpenApiDocumentTest}), and
 * {@code tests} generates a Java client from that file (openapi-generator, which validates it).
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static final String SCHEME = "bearer";
    static final String PROBLEM = "Problem";
    static final String OPENAI_ERROR = "OpenAiErrorResponse";

    @Bean
    OpenAPI platformOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Fine-tuning platform API").version("v1")
                        .description("Datasets, base models and LoRA / QLoRA / adapter fine-tuning jobs, and the model"
                                + " registry, under /api/v1; OpenAI's files and fine-tuning jobs under /v1. Errors are RFC"
                                + " 9457 problems (application/problem+json) whose stable type URIs are listed in the"
                                + " Problem schema; under /v1 they are OpenAI's {\"error\": {...}} objects."))
                .servers(List.of(new Server().url("http://localhost:8080").description("the local platform")))
                .components(new Components()
                        .addSecuritySchemes(SCHEME, new SecurityScheme()
                                .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("ftk_<prefix>_<secret>")
                                .description("An API key of your tenant: Authorization: Bearer ftk_...")))
                .addSecurityItem(new SecurityRequirement().addList(SCHEME));
    }

    /** Tags, operation ids and success statuses from the handler method, once per operation. */
    @Bean
    GlobalOperationCustomizer namedOperations() {
        return (operation, handler) -> {
            String resource = resource(handler);
            if (operation.getTags() == null || operation.getTags().isEmpty()
                    || operation.getTags().stream().allMatch(t -> t.endsWith("-controller"))) {
                operation.setTags(List.of(words(resource)));
            }
            if (operation.getOperationId() == null || operation.getOperationId().equals(handler.getMethod().getName())) {
                operation.setOperationId(operationId(handler, resource));
            }
            if (operation.getSummary() == null || operation.getSummary().isBlank()) {
                operation.setSummary(words(handler.getMethod().getName() + resource));
            }
            successStatus(operation, handler);
            declaredBodyTypes(operation, handler);
            String download = DOWNLOADS.get(operation.getOperationId());
            if (download != null && operation.getResponses() != null && operation.getResponses().get("200") != null) {
                operation.getResponses().get("200").description("The file").content(new Content().addMediaType(download,
                        new MediaType().schema(new StringSchema().format("binary"))));
            }
            return operation;
        };
    }

    /** Every 4xx and 5xx documented with its body; no wildcard content type left. */
    @Bean
    GlobalOpenApiCustomizer documentedErrors() {
        return openApi -> {
            if (openApi.getPaths() == null) {
                return;
            }
            Components components = openApi.getComponents() == null ? new Components() : openApi.getComponents();
            openApi.setComponents(components.addSchemas(PROBLEM, problemSchema()).addSchemas(OPENAI_ERROR, openAiErrorSchema()));
            openApi.getPaths().forEach((path, item) -> {
                for (Operation operation : operations(item)) {
                    ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
                    responses.keySet().removeIf(code -> code.startsWith("4") || code.startsWith("5"));
                    boolean openAi = OpenAiErrors.owns(path);
                    responses.addApiResponse("4XX", error(openAi, "The request cannot be served as sent"));
                    responses.addApiResponse("5XX", error(openAi, "The platform or a store it needs is unavailable"));
                    responses.values().forEach(OpenApiConfiguration::noWildcard);
                    operation.setResponses(responses);
                }
            });
        };
    }

    /**
     * The model registry's lists in the API's list shape: {@code after} and {@code last_id} documented,
     * its earlier {@code cursor} parameter and {@code items} / {@code next_cursor} members marked
     * deprecated (still served for existing clients).
     */
    @Bean
    GlobalOpenApiCustomizer registryListAliases() {
        return openApi -> {
            if (openApi.getPaths() != null) {
                openApi.getPaths().forEach((path, item) -> {
                    if (!path.startsWith("/api/v1/registry/")) {
                        return;
                    }
                    for (Operation operation : operations(item)) {
                        if (operation.getParameters() == null) {
                            continue;
                        }
                        for (Parameter parameter : operation.getParameters()) {
                            if ("after".equals(parameter.getName()) && "query".equals(parameter.getIn())) {
                                parameter.description("the last_id of the previous page (opaque; a last_id of another"
                                        + " list is a 400 naming after)");
                            } else if ("cursor".equals(parameter.getName()) && "query".equals(parameter.getIn())) {
                                parameter.deprecated(true).description("deprecated alias of after");
                            } else if ("limit".equals(parameter.getName()) && "query".equals(parameter.getIn())) {
                                parameter.description("items per page, 1 to 200 (default 50)");
                            }
                        }
                    }
                });
            }
            if (openApi.getComponents() == null || openApi.getComponents().getSchemas() == null) {
                return;
            }
            openApi.getComponents().getSchemas().forEach((name, schema) -> {
                Map<String, Schema> properties = schema.getProperties();
                if (!name.startsWith("Page") || properties == null || !properties.containsKey("data")) {
                    return;
                }
                schema.description("One page of a registry list, in the API's list shape; pass last_id as after for"
                        + " the next page");
                properties.get("object").example("list");
                properties.get("last_id").nullable(true).description("an opaque cursor: the last item's position in"
                        + " this list; null on an empty page");
                properties.get("items").deprecated(true).description("deprecated alias of data");
                properties.get("next_cursor").nullable(true).deprecated(true)
                        .description("deprecated: last_id while has_more, else null");
                schema.required(List.of("object", "data", "has_more"));
            });
        };
    }

    private static ApiResponse error(boolean openAi, String description) {
        if (openAi) {
            return new ApiResponse().description(description + " (OpenAI's error object)")
                    .addHeaderObject(OpenAiError.SHOULD_RETRY_HEADER, new Header().schema(new StringSchema()
                            ._enum(List.of("true", "false"))).description("whether the same request can succeed later"))
                    .content(new Content().addMediaType(org.springframework.http.MediaType.APPLICATION_JSON_VALUE,
                            new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + OPENAI_ERROR))));
        }
        return new ApiResponse().description(description + " (an RFC 9457 problem)")
                .content(new Content().addMediaType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                        new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM))));
    }

    private static void noWildcard(ApiResponse response) {
        Content content = response.getContent();
        if (content != null && content.containsKey("*/*")) {
            MediaType any = content.remove("*/*");
            content.addMediaType(org.springframework.http.MediaType.APPLICATION_JSON_VALUE, any);
        }
    }

    /**
     * A body the handler reads from the request stream itself (no {@code @RequestBody} parameter) is
     * described by its {@code @Operation(requestBody = ...)}, whose binary media types (and JSON arrays
     * of records) springdoc would otherwise replace by the default one.
     */
    private static void declaredBodyTypes(Operation operation, HandlerMethod handler) {
        io.swagger.v3.oas.annotations.Operation declared =
                handler.getMethodAnnotation(io.swagger.v3.oas.annotations.Operation.class);
        if (declared == null || declared.requestBody().content().length == 0 || operation.getRequestBody() == null) {
            return;
        }
        Content content = operation.getRequestBody().getContent() == null ? new Content()
                : operation.getRequestBody().getContent();
        for (io.swagger.v3.oas.annotations.media.Content c : declared.requestBody().content()) {
            if ("binary".equals(c.schema().format())) {
                content.addMediaType(c.mediaType(), new MediaType().schema(new StringSchema().format("binary")));
            } else if ("object".equals(c.array().schema().type())) {
                // a JSON body that is a list of records (a dataset as a JSON array)
                content.addMediaType(c.mediaType(), new MediaType().schema(new ArraySchema().items(new ObjectSchema())));
            }
        }
        operation.getRequestBody().setContent(content);
    }

    /**
     * A POST that answers {@code ResponseEntity} with a body creates (201, as every such handler here
     * does with {@code ResponseEntity.created}); {@code ResponseEntity<Void>} answers 204.
     */
    private static void successStatus(Operation operation, HandlerMethod handler) {
        ApiResponses responses = operation.getResponses();
        if (responses == null || !responses.containsKey("200")
                || !ResponseEntity.class.equals(handler.getMethod().getReturnType())) {
            return;
        }
        Class<?> body = ResolvableType.forMethodReturnType(handler.getMethod()).getGeneric(0).resolve(Object.class);
        if (Void.class.equals(body)) {
            ApiResponse ok = responses.remove("200");
            responses.addApiResponse("204", new ApiResponse().description(
                    ok.getDescription() == null || ok.getDescription().equals("OK") ? "Done; no body" : ok.getDescription()));
        } else if (handler.hasMethodAnnotation(PostMapping.class) && !responses.containsKey("201")) {
            ApiResponse ok = responses.remove("200");
            responses.addApiResponse("201", ok.description("Created; Location names the new resource"));
        }
    }

    /**
     * The operation id of a handler that does not name its own: a verb and its resource. The model
     * registry's handlers are named by what they do to which registry object; other modules'
     * {@code list} lists the plural, everything else is the method and its resource.
     */
    private static String operationId(HandlerMethod handler, String resource) {
        String method = handler.getMethod().getName();
        String named = NAMED.get(resource + "." + method);
        if (named != null) {
            return named;
        }
        return method.equals("list") ? "list" + resource + "s" : method + resource;
    }

    /** Handlers that write their body themselves (no return value to document): what they send. */
    private static final Map<String, String> DOWNLOADS = Map.of("downloadVersion", "application/zip",
            "downloadTaskEvaluationExamples", "application/jsonl");

    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("RegistryRepositories.repositories", "listRepositories"),
            Map.entry("RegistryRepositories.repository", "getRepository"),
            Map.entry("RegistryRepositories.configure", "configureRepository"),
            Map.entry("RegistryRepositories.versions", "listVersions"),
            Map.entry("RegistryRepositories.search", "searchVersions"),
            Map.entry("RegistryRepositories.version", "getVersion"),
            Map.entry("RegistryRepositories.compare", "compareVersions"),
            Map.entry("RegistryRepositories.resolve", "resolveRef"),
            Map.entry("RegistryAliases.aliases", "listAliases"),
            Map.entry("RegistryAliases.promote", "promoteAlias"),
            Map.entry("RegistryAliases.rollback", "rollbackAlias"),
            Map.entry("RegistryAliases.remove", "removeAlias"),
            Map.entry("RegistryAliases.audit", "listAliasAudit"),
            Map.entry("RegistryVersions.tag", "tagVersion"),
            Map.entry("RegistryVersions.untag", "untagVersion"),
            Map.entry("RegistryVersions.archive", "archiveVersion"),
            Map.entry("RegistryVersions.unarchive", "unarchiveVersion"),
            Map.entry("RegistryVersions.delete", "deleteVersion"),
            Map.entry("RegistryFiles.files", "listVersionFiles"),
            Map.entry("RegistryFiles.download", "downloadVersion"),
            Map.entry("RegistryTaskEvaluations.examples", "downloadTaskEvaluationExamples"),
            Map.entry("HyperparameterDefaults.defaults", "getHyperparameterDefaults"),
            Map.entry("OperatorJob.cancel", "cancelJobAsOperator"));

    /** {@code JobProgressController -> JobProgress}, {@code OpenAiFilesController -> OpenAiFiles}. */
    private static String resource(HandlerMethod handler) {
        String name = handler.getBeanType().getSimpleName();
        return name.endsWith("Controller") ? name.substring(0, name.length() - "Controller".length()) : name;
    }

    /** {@code JobProgress -> Job progress}. */
    private static String words(String camel) {
        String spaced = camel.replaceAll("([a-z0-9])([A-Z])", "$1 $2");
        return spaced.substring(0, 1).toUpperCase(Locale.ROOT) + spaced.substring(1).toLowerCase(Locale.ROOT);
    }

    private static List<Operation> operations(PathItem item) {
        List<Operation> out = new ArrayList<>();
        for (Operation o : Arrays.asList(item.getGet(), item.getPut(), item.getPost(), item.getDelete(), item.getPatch(),
                item.getHead(), item.getOptions())) {
            if (o != null) {
                out.add(o);
            }
        }
        return out;
    }

    private static Schema<?> problemSchema() {
        StringBuilder types = new StringBuilder("An RFC 9457 problem. Its type is one of these stable URIs (status, title):");
        for (ProblemKind kind : ProblemKind.values()) {
            types.append("\n- ").append(kind.type()).append(" (").append(kind.status()).append(", ").append(kind.title())
                    .append(")");
        }
        Map<String, Schema> properties = new java.util.LinkedHashMap<>();
        properties.put("type", new StringSchema().format("uri")._enum(Arrays.stream(ProblemKind.values())
                .map(ProblemKind::type).toList()).example(ProblemKind.NOT_FOUND.type()));
        properties.put("title", new StringSchema().example(ProblemKind.NOT_FOUND.title()));
        properties.put("status", new IntegerSchema().example(404));
        properties.put("detail", new StringSchema().example("job 4b1f… does not exist"));
        properties.put("instance", new StringSchema().format("uri-reference"));
        properties.put("param", new StringSchema().nullable(true).description("the request field, query parameter or"
                + " header at fault, e.g. hyperparameters.lora_r").example("hyperparameters.lora_r"));
        properties.put("field", new StringSchema().nullable(true).deprecated(true).description("deprecated alias of"
                + " param, still written by the model registry's problems (always with param, the same value)"));
        properties.put("errors", new ArraySchema().description("a dataset's bad records (invalid-dataset), or every"
                + " invalid field of a body (validation)").items(new ObjectSchema()
                        .addProperty("line", new IntegerSchema().nullable(true))
                        .addProperty("field", new StringSchema().nullable(true))
                        .addProperty("param", new StringSchema().nullable(true))
                        .addProperty("message", new StringSchema())));
        // only the snake_case spelling: generated clients cannot hold correlationId beside correlation_id
        properties.put("correlation_id", new StringSchema().description("internal-error only: quote it when reporting"
                + " (also written as correlationId, deprecated: every camelCase extension member comes in snake_case too)"));
        return new ObjectSchema().description(types.toString()).properties(properties)
                .required(List.of("type", "title", "status")).additionalProperties(Boolean.TRUE);
    }

    private static Schema<?> openAiErrorSchema() {
        Map<String, String> codes = new TreeMap<>();
        for (ProblemKind kind : ProblemKind.values()) {
            codes.put(OpenAiError.codeOf(kind), OpenAiError.typeOf(kind));
        }
        ObjectSchema error = new ObjectSchema();
        error.addProperty("message", new StringSchema());
        error.addProperty("type", new StringSchema()._enum(codes.values().stream().distinct().sorted().toList()));
        error.addProperty("param", new StringSchema().nullable(true).example("hyperparameters.lora_r"));
        error.addProperty("code", new StringSchema()._enum(List.copyOf(codes.keySet())));
        error.required(List.of("message", "type", "param", "code")).additionalProperties(Boolean.TRUE)
                .description("OpenAI's error; the problem's other members follow in snake_case (a dataset's errors"
                        + " with line and field, a quota's limit)");
        return new ObjectSchema().addProperty("error", error).required(List.of("error"))
                .description("OpenAI's error body: {\"error\": {message, type, param, code}}");
    }
}
