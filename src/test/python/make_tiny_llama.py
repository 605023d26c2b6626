"""Writes a tiny random-weight Llama with its own BPE tokenizer to the folder given, for vLLM on CPU (issue 27).

These machines reach no model hub, so the real-engine tests serve a model made here, the same on every run: the
tokenizer is a byte-level BPE trained on a fixed synthetic corpus, and the weights come from torch's generator seeded
with 20261207. The model is small enough to start in about a minute on 2 cores: hidden 256, 2 layers, 4 heads (2 KV
heads), a 4,096-token context. It writes nothing but config.json, generation_config.json, model.safetensors and the
tokenizer files, so the folder doubles as slaprof's --model (its config.json is a LlamaForCausalLM).

usage: make_tiny_llama.py OUT_DIR
"""
import random
import sys

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

SEED = 20261207
VOCAB = 2048


def corpus(n_lines):
    """A fixed synthetic corpus: words of 2-9 letters drawn from one seeded generator."""
    rnd = random.Random(SEED)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rnd.choice(letters) for _ in range(rnd.randint(2, 9))) for _ in range(3000)]
    for _ in range(n_lines):
        yield " ".join(rnd.choice(words) for _ in range(rnd.randint(5, 30)))


def main(out):
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB, special_tokens=["<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus(20000), trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>")
    fast.chat_template = ("{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
                          "{% if add_generation_prompt %}assistant:{% endif %}")
    fast.save_pretrained(out)
    torch.manual_seed(SEED)
    config = LlamaConfig(vocab_size=tok.get_vocab_size(), hidden_size=256, intermediate_size=512,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=4096, bos_token_id=0, eos_token_id=1, tie_word_embeddings=False,
                         torch_dtype="float32")
    model = LlamaForCausalLM(config)
    model.save_pretrained(out, safe_serialization=True)


if __name__ == "__main__":
    main(sys.argv[1])
