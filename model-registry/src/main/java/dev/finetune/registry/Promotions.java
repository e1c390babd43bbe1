package dev.finetune.registry;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.TenantId;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Alias moves: promotion through the repository's gate, rollback, removal. Each runs in one
 * transaction that moves the alias by compare-and-set and appends the audit entry, so a move and
 * its audit entry land together or not at all, and of two concurrent moves of one alias the
 * second gets a 409 instead of silently overwriting what the first decided.
 */
final class Promotions {

    private final Repositories repositories;
    private final Versions versions;
    private final Aliases aliases;
    private final TransactionTemplate tx;

    Promotions(Repositories repositories, Versions versions, Aliases aliases, TransactionTemplate tx) {
        this.repositories = repositories;
        this.versions = versions;
        this.aliases = aliases;
        this.tx = tx;
    }

    AliasMove promote(TenantId tenant, SegmentName segment, String alias, Promotion p, String actor) {
        return tx.execute(status -> {
            Repositories.Row repo = repositories.require(tenant, segment);
            UUID candidateId = versions.lock(repo.id(), p.version(), false)
                    .orElseThrow(() -> PlatformProblem.notFound("adapter version", segment + "/" + p.version()));
            AdapterVersion candidate = versions.find(candidateId).orElseThrow().view();
            Optional<Aliases.Row> current = aliases.find(repo.id(), alias);
            Integer from = current.map(Aliases.Row::versionNumber).orElse(null);
            if (p.expectedCurrentVersion() != null && !Objects.equals(p.expectedCurrentVersion(), from)) {
                throw moved(segment, alias, from).with("expectedVersion", p.expectedCurrentVersion());
            }
            if (Objects.equals(from, p.version())) {
                throw new PlatformProblem(ProblemKind.CONFLICT, segment + "@" + alias + " already points at version " + from)
                        .with("alias", alias).with("currentVersion", from);
            }
            String outcome = "passed: alias '" + alias + "' is not gated";
            if (repo.gate().guards(alias)) {
                PromotionGate gate = PromotionGate.of(repo.gate());
                AdapterVersion holder = current.flatMap(a -> versions.find(a.versionId())).map(Versions.Row::view).orElse(null);
                PromotionGate.Decision decision = gate.evaluate(candidate, holder);
                outcome = decision.outcome();
                if (!decision.passed()) {
                    if (!p.force()) {
                        throw blocked(segment, alias, gate, decision);
                    }
                    outcome += "; overridden by force";
                }
            }
            boolean moved = current.isPresent()
                    ? aliases.move(repo.id(), alias, candidateId, current.get().revision(), actor)
                    : aliases.create(repo.id(), alias, candidateId, actor);
            if (!moved) {
                throw moved(segment, alias, from);
            }
            return aliases.record(tenant, repo.id(), segment.value(), alias, AliasAction.PROMOTE, from, p.version(),
                    p.force(), outcome, p.reason(), actor);
        });
    }

    /**
     * Moves the alias back to where it pointed before its latest promotion still in effect: each
     * rollback undoes one promotion, so two rollbacks after promotions 1, 2, 3 land on 1.
     */
    AliasMove rollback(TenantId tenant, SegmentName segment, String alias, String reason, String actor) {
        return tx.execute(status -> {
            Repositories.Row repo = repositories.require(tenant, segment);
            Aliases.Row current = aliases.find(repo.id(), alias)
                    .orElseThrow(() -> PlatformProblem.notFound("alias", segment + "@" + alias));
            Integer target = rollbackTarget(aliases.history(repo.id(), alias));
            if (target == null) {
                throw new PlatformProblem(ProblemKind.CONFLICT, segment + "@" + alias + " has no earlier version to roll back to")
                        .with("alias", alias).with("currentVersion", current.versionNumber());
            }
            UUID targetId = versions.lock(repo.id(), target, false).orElseThrow(() -> new PlatformProblem(ProblemKind.CONFLICT,
                    "cannot roll back " + segment + "@" + alias + " to version " + target + ": it was deleted")
                    .with("alias", alias).with("targetVersion", target));
            if (!aliases.move(repo.id(), alias, targetId, current.revision(), actor)) {
                throw moved(segment, alias, current.versionNumber());
            }
            String why = reason == null || reason.isBlank() ? "rollback" : reason;
            return aliases.record(tenant, repo.id(), segment.value(), alias, AliasAction.ROLLBACK,
                    current.versionNumber(), target, false, "not gated: rollback", why, actor);
        });
    }

    AliasMove remove(TenantId tenant, SegmentName segment, String alias, String reason, String actor) {
        return tx.execute(status -> {
            Repositories.Row repo = repositories.require(tenant, segment);
            Aliases.Row current = aliases.find(repo.id(), alias)
                    .orElseThrow(() -> PlatformProblem.notFound("alias", segment + "@" + alias));
            if (!aliases.remove(repo.id(), alias, current.revision())) {
                throw moved(segment, alias, current.versionNumber());
            }
            return aliases.record(tenant, repo.id(), segment.value(), alias, AliasAction.REMOVE,
                    current.versionNumber(), null, false, null, reason, actor);
        });
    }

    /** Walks the history newest first; every rollback cancels the promotion before it. */
    static Integer rollbackTarget(List<AliasMove> newestFirst) {
        int skip = 0;
        for (AliasMove m : newestFirst) {
            switch (m.action()) {
                case ROLLBACK -> skip++;
                case REMOVE -> {
                    return null;
                }
                case PROMOTE -> {
                    if (skip == 0) {
                        return m.fromVersion();
                    }
                    skip--;
                }
            }
        }
        return null;
    }

    private static PlatformProblem moved(SegmentName segment, String alias, Integer current) {
        return new PlatformProblem(ProblemKind.CONFLICT, segment + "@" + alias
                + " was moved by another request; read it again and retry").with("alias", alias).with("currentVersion", current);
    }

    private static PlatformProblem blocked(SegmentName segment, String alias, PromotionGate gate, PromotionGate.Decision d) {
        PlatformProblem problem = new PlatformProblem(ProblemKind.PROMOTION_BLOCKED, "gate " + gate.rule().wireName()
                + " of " + segment + " " + d.outcome() + "; to override, promote with force=true and a reason")
                .with("gate", gate.rule().wireName()).with("alias", alias);
        d.metrics().forEach(problem::with);
        return problem;
    }
}
