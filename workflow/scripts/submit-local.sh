#!/bin/sh
# A stand-in for a cluster's submit command (sbatch, qsub): runs Snakemake's job
# script as a separate process on this machine and prints its process id, which
# Snakemake keeps as the job id. Output goes to the job's own log, not here:
# Snakemake reads this command's output until it closes.
nohup sh "$1" >/dev/null 2>&1 &
echo $!
