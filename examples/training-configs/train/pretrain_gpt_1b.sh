#!/bin/bash
# Megatron-LM launch script: the blend is assembled in the shell, as real scripts do.
DATA=/lustre/corpus
BLEND="0.70 ${DATA}/cc/cc-2023-06_text_document"
BLEND="${BLEND} 0.06 ${DATA}/starcoder/python_content_document"
BLEND="${BLEND} 0.04 ${DATA}/wiki/en_text_document 0.20 ${DATA}/books/pg19_text_document"

torchrun --nproc_per_node 8 pretrain_gpt.py \
    --num-layers 24 --hidden-size 2048 --num-attention-heads 16 \
    --seq-length 2048 --max-position-embeddings 2048 \
    --data-path $BLEND \
    --split 969,30,1 \
    --lr 3e-4 --train-iters 500000
