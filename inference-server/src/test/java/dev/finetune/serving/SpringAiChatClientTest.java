package dev.finetune.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.openai.errors.OpenAIServiceException;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.TestData;
import dev.finetune.core.testing.TestData.Fixture;
import dev.finetune.registry.AdapterVersion;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

/**
 * Spring AI 2.0.1's OpenAI chat model behind its {@link ChatClient}, configured with only a base URL
 * and a key, as a Spring shop would point it at us: {@code support@production} answers the engine's
 * greedy text for that adapter, streamed and not; an unknown name and another tenant's segment are
 * 404 {@code model_not_found}; an alias move reaches new calls within seconds. (Runs in surefire's
 * {@code spring-ai-client} execution, on the SDK core Spring AI was built with.)
 */
@EnabledIfSystemProperty(named = "finetune.spring-ai-classpath", matches = "true",
        disabledReason = "runs in surefire's spring-ai-client execution, on the SDK core Spring AI was built with")
@RealInfrastructure
@SpringBootTest(classes = {ServingApplication.class, TestData.class}, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "finetune.serving.resolution-ttl=1s")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpringAiChatClientTest {

    static final String PROMPT = "Once upon a time, there was a little cat named";

    @LocalServerPort
    int port;
    @Autowired
    ApplicationContext context;

    ServingWorld world;
    Fixture acme;
    String acmeKey;
    Path adapterOne;
    Path adapterTwo;
    AdapterVersion one;
    AdapterVersion two;

    @BeforeAll
    void world(@TempDir Path dir) throws Exception {
        world = new ServingWorld(context);
        world.base("tinystories-656k-" + UUID.randomUUID().toString().substring(0, 8));
        acme = world.tenant("acme", "support");
        Fixture other = world.tenant("other", "legal");
        acmeKey = world.key(acme, ApiKeyScope.READ);
        adapterOne = LoraFiles.write(dir.resolve("one"), 11, 0.6f, ServingWorld.qv());
        adapterTwo = LoraFiles.write(dir.resolve("two"), 12, 0.6f, ServingWorld.qv());
        one = world.register(acme, adapterOne, world.fingerprint);
        two = world.register(acme, adapterTwo, world.fingerprint);
        world.promote(acme, "production", one.number());
        world.register(other, adapterOne, world.fingerprint);
        world.promote(other, "production", 1);
    }

    ChatClient client(String model) {
        OpenAiChatModel chatModel = OpenAiChatModel.builder()
                .options(OpenAiChatOptions.builder().baseUrl("http://127.0.0.1:" + port + "/v1").apiKey(acmeKey)
                        .model(model).temperature(0.0).maxCompletionTokens(OpenAiSdkServingTest.TOKENS).maxRetries(0).build())
                .build();
        return ChatClient.create(chatModel);
    }

    @Test
    void production_answers_the_engines_greedy_text_streamed_or_not_and_follows_an_alias_move() {
        String expected = OpenAiSdkServingTest.engineChat(adapterOne, PROMPT);
        ChatResponse response = client("support@production").prompt().user(PROMPT).call().chatResponse();
        assertThat(response.getResult().getOutput().getText()).isEqualTo(expected);

        List<String> pieces = client("support@production").prompt().user(PROMPT).stream().content().collectList()
                .block(Duration.ofMinutes(2));
        assertThat(pieces).hasSizeGreaterThan(1);
        assertThat(String.join("", pieces)).isEqualTo(expected);

        world.promote(acme, "production", two.number());
        String moved = OpenAiSdkServingTest.engineChat(adapterTwo, PROMPT);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String answer;
        do {
            answer = client("support@production").prompt().user(PROMPT).call().content();
        } while (!moved.equals(answer) && System.nanoTime() < deadline);
        assertThat(answer).isEqualTo(moved);
    }

    @Test
    void an_unknown_name_and_another_tenants_segment_are_404_model_not_found() {
        for (String model : List.of("support@nightly", "legal@production")) {
            Throwable thrown = catchThrowable(() -> client(model).prompt().user(PROMPT).call().content());
            OpenAIServiceException e = serviceException(thrown);
            assertThat(e).as(model + ": " + thrown).isNotNull();
            assertThat(e.statusCode()).isEqualTo(404);
            assertThat(e.code()).contains("model_not_found");
        }
    }

    private static OpenAIServiceException serviceException(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OpenAIServiceException e) {
                return e;
            }
        }
        return null;
    }
}
