# Verdicts, figures, the claims ledger and the HTML report: generic over the declared claims.


rule verdict:
    """A claim's records -> its verdict JSON (statistic, CI, tolerance, status) and its aggregate tables."""
    input:
        unpack(verdict_inputs),
    output:
        verdict=f"{RESULTS}/claims/{{claim}}.json",
        tables=directory(f"{RESULTS}/tables/{{claim}}"),
    log:
        logs(f"{RESULTS}/claims/{{claim}}.json"),
    benchmark:
        benchmarks(f"{RESULTS}/claims/{{claim}}.json")
    conda:
        CONDA_ENV
    params:
        claim=lambda wildcards: wildcards.claim,
        context=lambda wildcards: verdict_context(wildcards.claim),
    script:
        "../scripts/verdict.py"


for _claim in CLAIMS:

    rule:
        """A claim's verdict and tables -> its figures (PNG for the report, PDF for print) and caption."""
        name:
            f"figure_{_claim}"
        input:
            verdict=f"{RESULTS}/claims/{_claim}.json",
            tables=f"{RESULTS}/tables/{_claim}",
            sources=figure_sources(_claim),
        output:
            png=report(
                figure_paths(_claim, "png")[0],
                caption=caption_path(_claim),
                category="Claims",
            ),
            pdf=figure_paths(_claim, "pdf")[0],
            extra=[
                report(path, caption=caption_path(_claim), category="Claims")
                for path in figure_paths(_claim, "png")[1:]
            ],
            extra_pdf=figure_paths(_claim, "pdf")[1:],
            caption=f"{RESULTS}/captions/{_claim}.rst",
        log:
            logs(f"{RESULTS}/figures/{_claim}.png"),
        benchmark:
            benchmarks(f"{RESULTS}/figures/{_claim}.png")
        conda:
            CONDA_ENV
        params:
            claim=_claim,
            context=verdict_context(_claim),
        script:
            "../scripts/figure.py"

    rule:
        """One claim end to end: its simulations, verdict and figures (snakemake claim_<id>)."""
        name:
            f"claim_{_claim}"
        input:
            f"{RESULTS}/claims/{_claim}.json",
            figure_paths(_claim, "png"),
            figure_paths(_claim, "pdf"),


rule ledger:
    """Every verdict of this scale -> the claims ledger (markdown, JSON, and the report's landing table)."""
    input:
        verdicts=expand(f"{RESULTS}/claims/{{claim}}.json", claim=list(CLAIMS)),
        figures=[path for claim_id in CLAIMS for path in figure_paths(claim_id, "png")],
        sources=LEDGER_SOURCES,
    output:
        markdown=LEDGER,
        json=f"{RESULTS}/claims.json",
        rst=f"{RESULTS}/claims.rst",
    log:
        logs(LEDGER),
    benchmark:
        benchmarks(LEDGER)
    conda:
        CONDA_ENV
    params:
        scale=SCALE,
        config_hashes={
            claim_id: expected_config_hash(verdict_context(claim_id))
            for claim_id in CLAIMS
        },
    script:
        "../scripts/ledger.py"
