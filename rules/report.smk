# Verdicts, figures, the claims ledger and the HTML report: generic over claims (CLAIM_RECORDS).


rule verdict:
    input:
        unpack(claim_inputs),
        sources=CORE_SOURCES,
    output:
        verdict=f"{R}/claims/{{claim}}.json",
        tables=directory(f"{RUN}/{{claim}}/tables"),
    log:
        f"{R}/logs/{SCALE}/{{claim}}_verdict.log",
    benchmark:
        f"{R}/benchmarks/{SCALE}/{{claim}}_verdict.tsv"
    conda:
        CONDA_ENV
    params:
        common=lambda w: common_params(w.claim),
        physics=config["mediocrity"],
    script:
        "../scripts/claim_verdict.py"


for _claim in CLAIM_RECORDS:

    rule:
        name:
            f"figure_{_claim}"
        input:
            verdict=f"{R}/claims/{_claim}.json",
            tables=f"{RUN}/{_claim}/tables",
        output:
            png=report(
                f"{F}/{_claim}.png",
                caption=caption_path(_claim),
                category="Claims",
            ),
            pdf=f"{F}/{_claim}.pdf",
            extra=[
                report(
                    f"{F}/{_claim}_{x}.png",
                    caption=caption_path(_claim),
                    category="Claims",
                )
                for x in extra_figures(_claim)
            ],
            extra_pdf=[f"{F}/{_claim}_{x}.pdf" for x in extra_figures(_claim)],
            caption=f"{R}/captions/{_claim}.rst",
        log:
            f"{R}/logs/{SCALE}/{_claim}_figure.log",
        benchmark:
            f"{R}/benchmarks/{SCALE}/{_claim}_figure.tsv"
        conda:
            CONDA_ENV
        params:
            claim=_claim,
            physics=config["mediocrity"],
        script:
            "../scripts/claim_figure.py"


for _claim in CLAIM_RECORDS:

    rule:
        name:
            f"claim_{_claim}"
        input:
            f"{R}/claims/{_claim}.json",
            f"{F}/{_claim}.png",
            f"{F}/{_claim}.pdf",
            [f"{F}/{_claim}_{x}.png" for x in extra_figures(_claim)],


rule ledger:
    input:
        verdicts=expand(f"{R}/claims/{{claim}}.json", claim=list(CLAIM_RECORDS)),
        figures=expand(f"{F}/{{claim}}.png", claim=list(CLAIM_RECORDS)),
    output:
        markdown=LEDGER,
        html=report(
            f"{R}/claims.html", caption="../report/ledger.rst", category="Ledger"
        ),
    log:
        f"{R}/logs/{SCALE}/ledger.log",
    benchmark:
        f"{R}/benchmarks/{SCALE}/ledger.tsv"
    conda:
        CONDA_ENV
    script:
        "../scripts/ledger.py"
