// The program administrator's queue: claims to approve, reject or record as paid.
import { Button, Field, Input, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";
import { settle, type Claim, type Failure } from "../api/client";
import { Done, Loaded, PageHeading, Problem, Section } from "../components";
import { ActionDialog } from "../forms/dialog";
import { useLoad } from "../load";
import { useSession } from "../session";
import { ClaimRows, ClaimStateFilter } from "./Claims";

type Decision = "approve" | "reject" | "pay";

const useStyles = makeStyles({
  buttons: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
});

export function ClaimQueue() {
  const styles = useStyles();
  const { t, api } = useSession();
  const [state, setState] = useState("submitted");
  const [done, setDone] = useState("");
  const [problem, setProblem] = useState<Failure | null>(null);
  const [deciding, setDeciding] = useState<{ claim: Claim; decision: "reject" | "pay" } | null>(null);
  const list = useLoad(
    () =>
      settle(
        api.GET("/v1/claims", { params: { query: { state: state || undefined, limit: 100 } } }),
        t("problem.network"),
      ),
    [api, state],
  );
  const decide = async (
    claim: Claim,
    decision: Decision,
    body: { reason?: string; paymentReference?: string },
  ) => {
    setProblem(null);
    const reply = await settle(
      api.POST("/v1/claims/{claimId}/{decision}", {
        params: { path: { claimId: claim.claimId, decision } },
        body,
      }),
      t("problem.network"),
    );
    if (reply.ok) {
      setDone(t(`done.${decision}`, { id: claim.claimId }));
      setDeciding(null);
      list.reload();
      return null;
    }
    return reply.failure;
  };
  return (
    <>
      <PageHeading title={t("queue.title")} />
      {done && <Done>{done}</Done>}
      {problem && <Problem failure={problem} />}
      <Section>
        <ClaimStateFilter value={state} onChange={setState} />
        <Loaded reply={list.reply}>
          {(page) => (
            <ClaimRows
              claims={page.items}
              extra={(claim) => (
                <div className={styles.buttons}>
                  {claim.state === "submitted" && (
                    <>
                      <Button
                        size="small"
                        appearance="primary"
                        aria-label={`${t("action.approve")} ${claim.claimId}`}
                        onClick={() => void decide(claim, "approve", {}).then(setProblem)}
                      >
                        {t("action.approve")}
                      </Button>
                      <Button
                        size="small"
                        aria-label={`${t("action.reject")} ${claim.claimId}`}
                        onClick={() => setDeciding({ claim, decision: "reject" })}
                      >
                        {t("action.reject")}
                      </Button>
                    </>
                  )}
                  {claim.state === "approved" && (
                    <Button
                      size="small"
                      appearance="primary"
                      aria-label={`${t("action.pay")} ${claim.claimId}`}
                      onClick={() => setDeciding({ claim, decision: "pay" })}
                    >
                      {t("action.pay")}
                    </Button>
                  )}
                </div>
              )}
            />
          )}
        </Loaded>
      </Section>
      {deciding && (
        <DecisionDialog
          key={deciding.claim.claimId + deciding.decision}
          claim={deciding.claim}
          decision={deciding.decision}
          onClose={() => setDeciding(null)}
          decide={decide}
        />
      )}
    </>
  );
}

function DecisionDialog({
  claim,
  decision,
  onClose,
  decide,
}: {
  claim: Claim;
  decision: "reject" | "pay";
  onClose(): void;
  decide(
    claim: Claim,
    decision: Decision,
    body: { reason?: string; paymentReference?: string },
  ): Promise<Failure | null>;
}) {
  const { t } = useSession();
  const [text, setText] = useState("");
  const [failure, setFailure] = useState<Failure | null>(null);
  const field = decision === "reject" ? "reason" : "paymentReference";
  const message = failure?.fields.find((f) => f.field === field)?.message ?? failure?.message;
  return (
    <ActionDialog
      open
      title={t(`decide.${decision}`, { id: claim.claimId })}
      sendLabel={t(`action.${decision}`)}
      onClose={onClose}
      onSend={async () => setFailure(await decide(claim, decision, { [field]: text }))}
    >
      <Field
        label={t(decision === "reject" ? "field.rejectReason" : "field.paymentReference")}
        required
        validationMessage={message}
        validationState={message ? "error" : "none"}
      >
        <Input value={text} onChange={(_, d) => setText(d.value)} />
      </Field>
    </ActionDialog>
  );
}
