"""Writes a word-level Hugging Face tokenizer (whitespace split) to the folder given.

AIPerf needs a tokenizer to build synthetic prompts of a given ISL and to count tokens. Its "builtin" one downloads
tiktoken's encoding, and a model's own one comes from the Hugging Face Hub; these machines reach neither, so the peer
tests use this local one. Its vocabulary is every whitespace-separated word of the corpus AIPerf samples its synthetic
prompts from (aiperf/dataset/generator/assets/shakespeare.txt, read from the installed package), so the prompts are
real, distinct text; a vocabulary without those words maps every word to [UNK] and makes every prompt the same, which
an engine with a prefix cache then serves from cache. The simulated engine counts prompt tokens by whitespace, so both
sides count alike (the decoder joins tokens with single spaces and does no clean-up).
"""
import os
import sys

import aiperf.dataset.generator as generator
from tokenizers import Tokenizer, decoders, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

corpus = os.path.join(os.path.dirname(generator.__file__), "assets", "shakespeare.txt")
vocab = {"[UNK]": 0}
with open(corpus, encoding="utf-8") as f:
    for word in f.read().split():
        if word not in vocab and not word.startswith("##"):
            vocab[word] = len(vocab)
tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
tok.decoder = decoders.WordPiece(prefix="##", cleanup=False)
PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]").save_pretrained(sys.argv[1])
