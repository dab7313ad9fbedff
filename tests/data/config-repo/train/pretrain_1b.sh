#!/bin/bash
DATA=/lustre/corpus
BLEND="0.85 ${DATA}/cc/cc_text_document 0.03 ${DATA}/starcoder/code_content_document"
BLEND="${BLEND} 0.12 ${DATA}/books/pg19_text_document"
torchrun pretrain_gpt.py --data-path $BLEND --lr 3e-4
