package dev.finetune.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.TenantId;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.TestData.Fixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

@SpringBootTest
@RealInfrastructure
class PromotionTest {

    static final String PRODUCTION = "production";

    @Autowired
    AdapterRegistry registry;
    @Autowired
    Adapters adapters;
    @Autowired
    ArtifactStore store;
    @Autowired
    DataSource dataSource;
    @Autowired
    JdbcTemplate jdbc;

    Fixture acme;
    TenantId tenant;
    SegmentName segment;

    @BeforeEach
    void aRepositoryWithProductionAtVersionOne() {
        acme = adapters.tenant("acme", "acme-support");
        tenant = acme.tenant().id();
        segment = acme.segment().name();
        register(0.50);
        registry.promote(tenant, segment, PRODUCTION, Promotion.of(1), "ft_ci");
    }

    @Test
    void blocksAWorseVersionNamingTheGateAndBothMetrics() {
        // given
        register(0.61);

        // when / then
        assertThatThrownBy(() -> registry.promote(tenant, segment, PRODUCTION, Promotion.of(2), "ft_ci"))
                .isInstanceOfSatisfying(PlatformProblem.class, p -> {
                    assertThat(p.kind()).isEqualTo(ProblemKind.PROMOTION_BLOCKED);
                    assertThat(p.properties()).containsEntry("gate", "eval_loss_no_worse")
                            .containsEntry("alias", PRODUCTION)
                            .containsEntry("candidateVersion", 2).containsEntry("candidateEvalLoss", 0.61)
                            .containsEntry("currentVersion", 1).containsEntry("currentEvalLoss", 0.50);
                    assertThat(p.detail()).contains("eval_loss_no_worse", "0.61", "0.5", "force");
                });
        assertThat(resolve()).isEqualTo(1);
        assertThat(audit()).hasSize(1);
    }

    @Test
    void letsABetterOrEqualVersionThroughAndAuditsTheMove() {
        // given
        register(0.45);

        // when
        AliasMove move = registry.promote(tenant, segment, PRODUCTION, Promotion.of(2), "ft_ci");

        // then
        assertThat(move.fromVersion()).isEqualTo(1);
        assertThat(move.toVersion()).isEqualTo(2);
        assertThat(move.forced()).isFalse();
        assertThat(move.gateOutcome()).startsWith("passed: eval_loss 0.45 <= 0.5");
        assertThat(move.actor()).isEqualTo("ft_ci");
        assertThat(resolve()).isEqualTo(2);
        assertThat(registry.version(tenant, segment, 2).aliases()).containsExactly(PRODUCTION);
    }

    @Test
    void blocksAVersionEvaluatedOnADifferentEvalSet() {
        // given a better loss, but measured on other examples
        registry.register(adapters.succeeded(acme, 0.10, "f".repeat(64), Hyperparameters.defaults()));

        // when / then
        assertThatThrownBy(() -> registry.promote(tenant, segment, PRODUCTION, Promotion.of(2), "ft_ci"))
                .isInstanceOfSatisfying(PlatformProblem.class, p -> assertThat(p.kind()).isEqualTo(ProblemKind.PROMOTION_BLOCKED))
                .hasMessageContaining("different eval sets");
    }

    @Test
    void letsAForcedPromotionThroughOnlyWithAReasonAndRecordsIt() {
        // given
        register(0.70);

        // when
        AliasMove move = registry.promote(tenant, segment, PRODUCTION, Promotion.forced(2, "hotfix for ticket 42"), "ft_admin");

        // then
        assertThatThrownBy(() -> new Promotion(2, true, " ", null)).hasMessageStartingWith("reason");
        assertThat(move.forced()).isTrue();
        assertThat(move.reason()).isEqualTo("hotfix for ticket 42");
        assertThat(move.gateOutcome()).contains("blocked", "overridden by force");
        assertThat(audit()).first().isEqualTo(move);
        assertThat(resolve()).isEqualTo(2);
    }

    @Test
    void letsAnyVersionTakeAnAliasTheGateDoesNotGuard() {
        // given
        register(0.90);

        // when
        AliasMove move = registry.promote(tenant, segment, "staging", Promotion.of(2), "ft_ci");

        // then
        assertThat(move.gateOutcome()).contains("not gated");
        assertThat(registry.aliases(tenant, segment)).extracting(Alias::name, Alias::version)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(PRODUCTION, 1), org.assertj.core.groups.Tuple.tuple("staging", 2));
    }

    @Test
    void rollsBackOnePromotionAtATime() {
        // given production moved 1 -> 2 -> 3
        register(0.40);
        register(0.30);
        registry.promote(tenant, segment, PRODUCTION, Promotion.of(2), "ft_ci");
        registry.promote(tenant, segment, PRODUCTION, Promotion.of(3), "ft_ci");

        // when
        AliasMove first = registry.rollback(tenant, segment, PRODUCTION, "bad answers in prod", "ft_oncall");
        AliasMove second = registry.rollback(tenant, segment, PRODUCTION, null, "ft_oncall");

        // then
        assertThat(first.fromVersion()).isEqualTo(3);
        assertThat(first.toVersion()).isEqualTo(2);
        assertThat(first.reason()).isEqualTo("bad answers in prod");
        assertThat(second.fromVersion()).isEqualTo(2);
        assertThat(second.toVersion()).isEqualTo(1);
        assertThat(resolve()).isEqualTo(1);
        assertThatThrownBy(() -> registry.rollback(tenant, segment, PRODUCTION, null, "ft_oncall"))
                .hasMessageContaining("no earlier version");
        assertThat(audit()).extracting(AliasMove::action, AliasMove::fromVersion, AliasMove::toVersion).containsExactly(
                org.assertj.core.groups.Tuple.tuple(AliasAction.ROLLBACK, 2, 1),
                org.assertj.core.groups.Tuple.tuple(AliasAction.ROLLBACK, 3, 2),
                org.assertj.core.groups.Tuple.tuple(AliasAction.PROMOTE, 2, 3),
                org.assertj.core.groups.Tuple.tuple(AliasAction.PROMOTE, 1, 2),
                org.assertj.core.groups.Tuple.tuple(AliasAction.PROMOTE, null, 1));
    }

    @Test
    void letsOneOfTwoConcurrentPromotionsWinAndGivesTheOtherAConflict() throws Exception {
        // given two better versions, and the alias row held by another session so that both
        // promotions have read the alias before either can move it
        register(0.40);
        register(0.45);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<AliasMove>> results = new ArrayList<>();
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            holder.createStatement().execute("SELECT 1 FROM adapter_aliases a JOIN adapter_repositories r ON r.id = a.repository_id"
                    + " WHERE r.tenant_id = '" + tenant + "' FOR UPDATE");

            // when both promote at once
            results.add(pool.submit(() -> registry.promote(tenant, segment, PRODUCTION, Promotion.of(2), "ft_ci_a")));
            results.add(pool.submit(() -> registry.promote(tenant, segment, PRODUCTION, Promotion.of(3), "ft_ci_b")));
            awaitWaitingUpdates(2);
            holder.commit();
        }
        List<Object> outcomes = new ArrayList<>();
        for (Future<AliasMove> f : results) {
            try {
                outcomes.add(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                outcomes.add(e.getCause());
            }
        }
        pool.shutdown();

        // then exactly one moved the alias, the other got a conflict, and the trail matches the alias
        List<AliasMove> wins = outcomes.stream().filter(AliasMove.class::isInstance).map(AliasMove.class::cast).toList();
        assertThat(wins).hasSize(1);
        assertThat(outcomes).filteredOn(PlatformProblem.class::isInstance).singleElement()
                .satisfies(p -> assertThat(((PlatformProblem) p).kind()).isEqualTo(ProblemKind.CONFLICT));
        AliasMove win = wins.get(0);
        assertThat(resolve()).isEqualTo(win.toVersion());
        assertThat(audit()).hasSize(2).first().isEqualTo(win);
        assertThat(win.fromVersion()).isEqualTo(1);
    }

    @Test
    void resolutionFollowsAliasMovesAndAFixedVersionStaysPut() {
        // given
        register(0.40);
        AdapterRef production = AdapterRef.parse("acme-support@production");
        AdapterRef first = AdapterRef.parse("acme-support/1");
        BaseModelExpectation model = new BaseModelExpectation(acme.model().name(), null);
        int before = registry.resolve(tenant, production, model).version().number();

        // when
        registry.promote(tenant, segment, PRODUCTION, Promotion.of(2), "ft_ci");

        // then
        ResolvedAdapter after = registry.resolve(tenant, production, model);
        assertThat(before).isEqualTo(1);
        assertThat(after.version().number()).isEqualTo(2);
        assertThat(after.alias()).isEqualTo(PRODUCTION);
        assertThat(after.artifactUri()).isEqualTo("s3://" + store.bucket() + "/" + after.version().artifact().prefix());
        assertThat(registry.resolve(tenant, first, null).version().number()).isEqualTo(1);
        assertThat(registry.resolve(tenant, production, new BaseModelExpectation(acme.model().id().toString(), null))
                .version().number()).isEqualTo(2);
    }

    @Test
    void refusesToResolveForADifferentBaseModel() {
        // when / then: another model name, or the right name with other weights
        assertThatThrownBy(() -> registry.resolve(tenant, AdapterRef.parse("acme-support@production"),
                new BaseModelExpectation("llama-3-8b", null)))
                .isInstanceOfSatisfying(PlatformProblem.class, p -> {
                    assertThat(p.kind()).isEqualTo(ProblemKind.BASE_MODEL_MISMATCH);
                    assertThat(p.properties()).containsEntry("requestedBaseModel", "llama-3-8b")
                            .containsEntry("adapterBaseModel", acme.model().name()).containsEntry("version", 1);
                });
        assertThatThrownBy(() -> registry.resolve(tenant, AdapterRef.parse("acme-support/1"),
                new BaseModelExpectation(acme.model().name(), "c".repeat(64))))
                .isInstanceOfSatisfying(PlatformProblem.class, p -> assertThat(p.kind()).isEqualTo(ProblemKind.BASE_MODEL_MISMATCH));
    }

    @Test
    void refusesToDeleteAnAliasedVersionAndRemovesTheFilesOnceFree() {
        // given
        String prefix = registry.version(tenant, segment, 1).artifact().prefix();

        // when / then: refused while production points at it
        assertThatThrownBy(() -> registry.delete(tenant, segment, 1, "ft_admin"))
                .isInstanceOfSatisfying(PlatformProblem.class, p -> {
                    assertThat(p.kind()).isEqualTo(ProblemKind.CONFLICT);
                    assertThat(p.properties()).containsEntry("aliases", List.of(PRODUCTION));
                });
        assertThat(store.list(prefix)).hasSize(2);

        // when the alias is removed, delete goes through
        registry.removeAlias(tenant, segment, PRODUCTION, "retiring", "ft_admin");
        registry.delete(tenant, segment, 1, "ft_admin");

        // then the version is gone, its files too, and its number is not reused
        assertThat(store.list(prefix)).isEmpty();
        assertThatThrownBy(() -> registry.version(tenant, segment, 1))
                .isInstanceOfSatisfying(PlatformProblem.class, p -> assertThat(p.kind()).isEqualTo(ProblemKind.NOT_FOUND));
        assertThat(register(0.3).number()).isEqualTo(2);
    }

    @Test
    void hidesArchivedVersionsFromListsButStillResolvesThem() {
        // when
        registry.archive(tenant, segment, 1, "ft_admin");

        // then
        assertThat(registry.search(tenant, VersionQuery.of(segment), null, null).items()).isEmpty();
        assertThat(registry.search(tenant, VersionQuery.of(segment).withArchived(), null, null).items()).hasSize(1);
        assertThat(registry.resolve(tenant, AdapterRef.parse("acme-support@production"), null).version().archived()).isTrue();
    }

    @Test
    void comparesTwoVersionsMarkingWhatDiffers() {
        // given
        registry.register(adapters.succeeded(acme, 0.40, Adapters.EVAL_SET,
                Hyperparameters.defaults().toBuilder().loraR(16).learningRate(1e-4).build()));

        // when
        VersionComparison c = registry.compare(tenant, segment, 1, 2);

        // then
        assertThat(c.sameEvalSet()).isTrue();
        assertThat(c.differences()).contains("lora_r", "learning_rate", "eval_loss", "source_job_id")
                .doesNotContain("lora_alpha", "base_model_id", "dataset_sha256");
        assertThat(c.metrics()).filteredOn(r -> r.name().equals("eval_loss")).singleElement()
                .satisfies(r -> assertThat(r.delta()).isCloseTo(-0.10, org.assertj.core.data.Offset.offset(1e-9)));
        assertThat(c.hyperparameters()).filteredOn(r -> r.name().equals("lora_r")).singleElement()
                .satisfies(r -> assertThat(r.b()).isEqualTo(16));
    }

    @Test
    void pagesThroughVersionsWithACursorAndFindsThemByTag() {
        // given five versions, one tagged
        for (int i = 0; i < 4; i++) {
            register(0.4 - i * 0.01);
        }
        registry.tag(tenant, segment, 3, "ticket", "ML-7");

        // when
        Page<AdapterVersion> first = registry.search(tenant, VersionQuery.of(segment), null, 2);
        Page<AdapterVersion> second = registry.search(tenant, VersionQuery.of(segment), first.nextCursor(), 2);
        Page<AdapterVersion> third = registry.search(tenant, VersionQuery.of(segment), second.nextCursor(), 2);
        Page<AdapterVersion> tagged = registry.search(tenant,
                new VersionQuery(null, "ticket", "ML-7", null, null, null, false), null, null);

        // then
        assertThat(first.items()).extracting(AdapterVersion::number).containsExactly(5, 4);
        assertThat(second.items()).extracting(AdapterVersion::number).containsExactly(3, 2);
        assertThat(third.items()).extracting(AdapterVersion::number).containsExactly(1);
        assertThat(third.nextCursor()).isNull();
        assertThat(tagged.items()).singleElement().satisfies(v -> assertThat(v.tags()).containsEntry("ticket", "ML-7"));
    }

    @Test
    void aTaskMetricGateComparesTheAdaptersScoreOnTheSameEvalSet() {
        // given a gate on exact match, production at a version without task metrics
        registry.configure(tenant, segment, null, new GatePolicy(GateRule.TASK_METRIC_NO_WORSE, null,
                java.util.Set.of(PRODUCTION), "exact_match"));
        int good = registerWithTaskMetrics(0.60, 0.40, Adapters.EVAL_SET);
        int worse = registerWithTaskMetrics(0.40, 0.35, Adapters.EVAL_SET);
        int elsewhere = registerWithTaskMetrics(0.90, 0.30, "f".repeat(64));
        int none = register(0.10).number();

        // when / then: nothing to beat yet, then no worse on the same eval set only
        assertThat(registry.promote(tenant, segment, PRODUCTION, Promotion.of(good), "ft_ci").gateOutcome())
                .contains("has no exact_match to beat");
        assertThatThrownBy(() -> registry.promote(tenant, segment, PRODUCTION, Promotion.of(worse), "ft_ci"))
                .isInstanceOfSatisfying(PlatformProblem.class, p -> {
                    assertThat(p.kind()).isEqualTo(ProblemKind.PROMOTION_BLOCKED);
                    assertThat(p.properties()).containsEntry("gate", "task_metric_no_worse")
                            .containsEntry("taskMetric", "exact_match").containsEntry("candidateTaskMetric", 0.40)
                            .containsEntry("currentTaskMetric", 0.60);
                });
        assertThatThrownBy(() -> registry.promote(tenant, segment, PRODUCTION, Promotion.of(elsewhere), "ft_ci"))
                .hasMessageContaining("different eval sets");
        assertThatThrownBy(() -> registry.promote(tenant, segment, PRODUCTION, Promotion.of(none), "ft_ci"))
                .hasMessageContaining("has no exact_match (no task evaluation)");
        assertThat(resolve()).isEqualTo(good);
        assertThat(registry.repository(tenant, segment).gate().taskMetric()).isEqualTo("exact_match");
        assertThatThrownBy(() -> new GatePolicy(GateRule.TASK_METRIC_NO_WORSE, null, java.util.Set.of(PRODUCTION), "bleu"))
                .hasMessageContaining("gate.task_metric must be one of");
    }

    private int registerWithTaskMetrics(double exactMatch, double evalLoss, String evalSet) {
        FineTuningSucceeded e = adapters.succeeded(acme, evalLoss, evalSet, dev.finetune.core.hyperparameters.Hyperparameters.defaults());
        FineTuningSucceeded.TaskScores base = new FineTuningSucceeded.TaskScores(0.0, 0.05, null, 0.1);
        FineTuningSucceeded.TaskScores adapter = new FineTuningSucceeded.TaskScores(exactMatch, exactMatch, null, 0.7);
        FineTuningSucceeded withScores = new FineTuningSucceeded(e.jobId(), e.tenantId(), e.segment(), e.baseModelId(),
                e.baseModelSha256(), e.datasetSha256(), e.evalSetSha256(), e.method(), e.hyperparameters(), e.metrics(),
                e.artifact(), e.createdBy(), e.occurredAt(), null,
                new FineTuningSucceeded.TaskMetrics(9, null, 64, base, adapter));
        AdapterVersion v = registry.register(withScores).version();
        assertThat(v.taskMetrics()).isEqualTo(withScores.taskMetrics());
        return v.number();
    }

    private AdapterVersion register(double evalLoss) {
        return registry.register(adapters.succeeded(acme, evalLoss)).version();
    }

    private int resolve() {
        return registry.resolve(tenant, AdapterRef.alias(segment, PRODUCTION), null).version().number();
    }

    private List<AliasMove> audit() {
        return registry.audit(tenant, segment, PRODUCTION, null, null).items();
    }

    /** Waits until {@code n} sessions are blocked on a row lock in an UPDATE of adapter_aliases. */
    private void awaitWaitingUpdates(int n) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            Integer waiting = jdbc.queryForObject("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND query LIKE '%UPDATE adapter_aliases%'", Integer.class);
            if (waiting != null && waiting >= n) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the two promotions never both waited for the alias row");
    }
}
