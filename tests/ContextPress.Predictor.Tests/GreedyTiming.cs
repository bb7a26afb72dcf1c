using System.Diagnostics;
using ContextPress.Predictor.Caching;
using static TorchSharp.torch;

namespace ContextPress.Predictor.Tests;

/// <summary>Times a prefill of <c>prompt</c> synthetic tokens and <c>decode</c> greedy steps through a cache (for the opt-in speed tests).</summary>
internal static class GreedyTiming
{
    public static (TimeSpan Prefill, TimeSpan Decode) Run(CausalLM model, IKvCache cache, int prompt, int decode)
    {
        var ids = Enumerable.Range(0, prompt).Select(i => (i * 7919) % model.Config.VocabSize).ToArray();
        long next;
        var watch = Stopwatch.StartNew();
        using (var scope = NewDisposeScope())
        {
            next = model.Forward(CausalLM.ToInput(ids), cache, lastPositionOnly: true)[0, 0].argmax().item<long>();
        }
        var prefill = watch.Elapsed;
        watch.Restart();
        for (var i = 0; i < decode; i++)
        {
            using var scope = NewDisposeScope();
            next = model.Forward(CausalLM.ToInput([(int)next]), cache, lastPositionOnly: true)[0, 0].argmax().item<long>();
        }
        return (prefill, watch.Elapsed);
    }
}
