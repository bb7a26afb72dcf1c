using static TorchSharp.torch;

namespace ContextPress.Predictor.Compression;

/// <summary>Which block projections read an input: projections that share an input are observed once.</summary>
internal enum LinearInputSite
{
    /// <summary>The normed residual that <c>q_proj</c>, <c>k_proj</c> and <c>v_proj</c> read.</summary>
    AttentionInput,

    /// <summary>The merged heads that <c>o_proj</c> reads.</summary>
    AttentionOutput,

    /// <summary>The normed residual that <c>gate_proj</c> and <c>up_proj</c> read.</summary>
    MlpInput,

    /// <summary>The gated activation that <c>down_proj</c> reads.</summary>
    MlpOutput,
}

/// <summary>
/// Sees the input of each block projection during a forward pass (calibration). Set on a <see cref="CausalLM"/> through
/// <see cref="CausalLM.LinearInputObserver"/>; the modules skip the call when none is set.
/// </summary>
internal interface ILinearInputObserver
{
    /// <summary>Called with the input [B, T, in] (valid for the call only) of the projections at <paramref name="site"/> of <paramref name="layer"/>.</summary>
    void Observe(int layer, LinearInputSite site, Tensor input);
}

/// <summary>HF names of the block projections and the inputs they share.</summary>
public static class BlockLinearNames
{
    private static readonly string[] AttentionInputs = ["q_proj", "k_proj", "v_proj"];
    private static readonly string[] AttentionOutputs = ["o_proj"];
    private static readonly string[] MlpInputs = ["gate_proj", "up_proj"];
    private static readonly string[] MlpOutputs = ["down_proj"];

    /// <summary>Every block projection of a model with <paramref name="layers"/> layers, in forward order (<c>model.layers.{i}.self_attn.q_proj</c>, ...).</summary>
    public static IReadOnlyList<string> All(int layers)
    {
        var names = new List<string>(layers * 7);
        for (var i = 0; i < layers; i++)
        {
            foreach (var site in Enum.GetValues<LinearInputSite>())
            {
                names.AddRange(For(i, site));
            }
        }
        return names;
    }

    internal static IEnumerable<string> For(int layer, LinearInputSite site) => site switch
    {
        LinearInputSite.AttentionInput => AttentionInputs.Select(p => $"model.layers.{layer}.self_attn.{p}"),
        LinearInputSite.AttentionOutput => AttentionOutputs.Select(p => $"model.layers.{layer}.self_attn.{p}"),
        LinearInputSite.MlpInput => MlpInputs.Select(p => $"model.layers.{layer}.mlp.{p}"),
        _ => MlpOutputs.Select(p => $"model.layers.{layer}.mlp.{p}"),
    };

    /// <summary>Splits <c>model.layers.{i}.{self_attn|mlp}.{proj}</c>.</summary>
    /// <exception cref="ArgumentException">Not the name of a block projection.</exception>
    internal static (int Layer, bool Attention, string Projection) Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var parts = name.Split('.');
        if (parts.Length == 5 && parts[0] == "model" && parts[1] == "layers"
            && int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var layer)
            && ((parts[3] == "self_attn" && (AttentionInputs.Contains(parts[4]) || AttentionOutputs.Contains(parts[4])))
                || (parts[3] == "mlp" && (MlpInputs.Contains(parts[4]) || MlpOutputs.Contains(parts[4])))))
        {
            return (layer, parts[3] == "self_attn", parts[4]);
        }
        throw new ArgumentException($"'{name}' is not a block projection (model.layers.N.self_attn.q_proj|k_proj|v_proj|o_proj or model.layers.N.mlp.gate_proj|up_proj|down_proj).", nameof(name));
    }
}
