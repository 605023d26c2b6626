"""Writes a word-level Hugging Face tokenizer (t1 .. t19999, whitespace split) to the folder given.

AIPerf needs a tokenizer to build synthetic prompts of a given ISL and to count tokens. Its "builtin" one downloads
tiktoken's encoding, and a model's own one comes from the Hugging Face Hub; these machines reach neither, so the peer
tests use this local one. The simulated engine counts prompt tokens by whitespace, so both sides count alike.
"""
import sys

from tokenizers import Tokenizer, decoders, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

vocab = {"[UNK]": 0}
for i in range(1, 20000):
    vocab["t%d" % i] = i
tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
tok.decoder = decoders.WordPiece(prefix="##")
PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]").save_pretrained(sys.argv[1])
