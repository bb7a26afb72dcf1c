using ContextPress.Torch.Checkpoints;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Llama2c;

/// <summary>
/// Reads karpathy/llama2.c's legacy checkpoint format (a header of 7 int32 — dim, hidden_dim, n_layers, n_heads,
/// n_kv_heads, vocab_size (negative: separate classifier), seq_len — then fp32 weights) and renames the weights to
/// Hugging Face's Llama keys. llama2.c rotates adjacent pairs; q/k rows are permuted to HF's rotate-half layout
/// (as transformers' conversion script does), so the same <see cref="CausalLM"/> runs both.
/// </summary>
public static class Llama2cCheckpoint
{
    /// <summary>Reads <paramref name="path"/>; returns the equivalent config and the converted tensors (the caller disposes them).</summary>
    /// <exception cref="InvalidDataException">The header is implausible or the file size does not match it.</exception>
    public static (LlamaConfig Config, TensorDictionaryCheckpoint Checkpoint) Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 28)
        {
            throw new InvalidDataException($"{path} is too short for a llama2.c header.");
        }
        var header = new int[7];
        Buffer.BlockCopy(bytes, 0, header, 0, 28);
        var (dim, hidden, layers, heads, kvHeads, vocabSigned, seqLen) = (header[0], header[1], header[2], header[3], header[4], header[5], header[6]);
        var shared = vocabSigned > 0;
        var vocab = Math.Abs(vocabSigned);
        if (dim <= 0 || hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || vocab == 0 || seqLen <= 0 || dim % heads != 0 || heads % kvHeads != 0)
        {
            throw new InvalidDataException($"{path}: implausible llama2.c header [{string.Join(", ", header)}].");
        }
        var headDim = dim / heads;
        var kvDim = kvHeads * headDim;
        long expected = (long)vocab * dim + layers * (2L * dim + 2L * dim * dim + 2L * kvDim * dim + 3L * hidden * dim)
            + dim + (long)seqLen * headDim + (shared ? 0 : (long)vocab * dim);
        if (bytes.Length != 28 + expected * 4)
        {
            throw new InvalidDataException($"{path}: {bytes.Length} bytes, but the header [{string.Join(", ", header)}] implies {28 + expected * 4}.");
        }

        var config = new LlamaConfig
        {
            ModelType = "llama",
            HiddenSize = dim,
            IntermediateSize = hidden,
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            VocabSize = vocab,
            MaxPositionEmbeddings = seqLen,
            RmsNormEps = 1e-5,
            RopeTheta = 10000.0,
            TieWordEmbeddings = shared,
            BosTokenId = 1,
            EosTokenId = [2],
        }.Validate();

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using var scope = NewDisposeScope();
            long offset = 28;
            Tensor Next(params long[] shape)
            {
                var count = shape.Aggregate(1L, (a, b) => a * b);
                var t = empty(shape, ScalarType.Float32);
                t.bytes = bytes.AsSpan((int)offset, (int)(count * 4));
                offset += count * 4;
                return t;
            }
            void PerLayer(string name, long[] shape, Func<Tensor, Tensor>? convert = null)
            {
                var all = Next([layers, .. shape]);
                for (var i = 0; i < layers; i++)
                {
                    var w = all[i];
                    tensors[$"model.layers.{i}.{name}"] = (convert?.Invoke(w) ?? w).contiguous().MoveToOuterDisposeScope();
                }
            }

            tensors["model.embed_tokens.weight"] = Next(vocab, dim).MoveToOuterDisposeScope();
            PerLayer("input_layernorm.weight", [dim]);
            PerLayer("self_attn.q_proj.weight", [dim, dim], w => ToRotateHalf(w, heads, dim));
            PerLayer("self_attn.k_proj.weight", [kvDim, dim], w => ToRotateHalf(w, kvHeads, dim));
            PerLayer("self_attn.v_proj.weight", [kvDim, dim]);
            PerLayer("self_attn.o_proj.weight", [dim, dim]);
            PerLayer("post_attention_layernorm.weight", [dim]);
            PerLayer("mlp.gate_proj.weight", [hidden, dim]); // w1
            PerLayer("mlp.down_proj.weight", [dim, hidden]); // w2
            PerLayer("mlp.up_proj.weight", [hidden, dim]);   // w3
            tensors["model.norm.weight"] = Next(dim).MoveToOuterDisposeScope();
            offset += (long)seqLen * headDim * 4; // freq_cis_real and freq_cis_imag: recomputed by the model.
            if (!shared)
            {
                tensors["lm_head.weight"] = Next(vocab, dim).MoveToOuterDisposeScope();
            }
            return (config, new TensorDictionaryCheckpoint(tensors));
        }
        catch
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
            throw;
        }
    }

    /// <summary>
    /// Reorders the output rows of a q/k projection from adjacent-pair rotary layout to rotate-half layout:
    /// w.view(heads, headDim/2, 2, in).transpose(1, 2).reshape(rows, in).
    /// </summary>
    internal static Tensor ToRotateHalf(Tensor weight, int heads, int inFeatures)
    {
        var rows = weight.shape[0];
        return weight.view(heads, rows / heads / 2, 2, inFeatures).transpose(1, 2).reshape(rows, inFeatures);
    }
}
