# The runtime only, at the locked versions, running `make figures` (the default scale's verdicts, figures and
# report; the committed run records are restored, so it takes minutes). Not built in CI: the machine that
# builds this project has no container engine (see the README).
#   docker build -t overparam . && docker run --name overparam-run overparam
#   docker cp overparam-run:/overparam/results/default out && docker cp overparam-run:/overparam/figures/default out/figures
# (mounting a folder over results/default would hide the committed records and make it re-simulate for an hour)
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends make git && rm -rf /var/lib/apt/lists/*
WORKDIR /overparam
COPY . .
RUN make .venv/.runtime PYTHON=python3.11
CMD ["make", "figures", "PYTHON=python3.11"]
