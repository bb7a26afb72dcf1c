using System.Text;
using ContextPress.Predictor;
using ContextPress.Predictor.Caching;
using static TorchSharp.torch;

namespace ContextPress.ModelLab;

/// <summary>Options for <see cref="RetrievalTask"/>.</summary>
public sealed record RetrievalOptions
{
    /// <summary>Cases (facts planted at depths spread evenly from the start to the end of the context).</summary>
    public int Cases { get; init; } = 60;

    /// <summary>Prompt length in tokens, BOS included (at most the model's context).</summary>
    public int ContextLength { get; init; } = 255;

    /// <summary>Digits in each planted code.</summary>
    public int CodeDigits { get; init; } = 4;

    /// <summary>Seed for filler slices, names and codes.</summary>
    public int Seed { get; init; } = 7;
}

/// <summary>One prompt: held-out text with a fact line planted at <see cref="Depth"/> (or none), ending in the fact's question.</summary>
/// <param name="Prompt">BOS, then the UTF-8 bytes.</param>
/// <param name="Expected">The code the model should continue with.</param>
/// <param name="Depth">Where the fact sits in the filler, 0 (start) to 1 (just before the question).</param>
/// <param name="HasFact">False for the control prompt, whose fact line was left out (chance level).</param>
/// <param name="QuestionLength">Tokens at the end of <paramref name="Prompt"/> that ask the question.</param>
public sealed record RetrievalCase(IReadOnlyList<int> Prompt, string Expected, double Depth, bool HasFact, int QuestionLength = 0);

/// <summary>Exact-match and per-digit accuracy of greedy digit continuations (chance: 10^-digits and 10 %).</summary>
/// <param name="Accuracy">Fraction of cases whose continuation is the code.</param>
/// <param name="DigitAccuracy">Fraction of code characters right, position by position.</param>
/// <param name="Cases">Cases scored.</param>
/// <param name="CodeNll">Mean −log p(code digit) in nats, teacher-forced: a graded signal where greedy accuracy is at chance.</param>
public sealed record RetrievalResult(double Accuracy, double DigitAccuracy, int Cases, double CodeNll = double.NaN);

/// <summary>
/// Long-context retrieval for judging KV-cache eviction: a line "The code of NAME is 4821." is planted at a chosen depth
/// in held-out text and the prompt ends with "The code of NAME is "; the model must copy the code from the context. A
/// byte-level model of small context can only succeed by attending back to the fact, so evicting it shows. Control
/// prompts without the fact give the chance level.
/// </summary>
public static class RetrievalTask
{
    private static readonly string[] Names = ["Anna", "Ben", "Carla", "Dev", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kemal", "Lena", "Marta", "Nils", "Omar", "Pia"];

    /// <summary>Builds <see cref="RetrievalOptions.Cases"/> prompts with the fact and as many controls without it.</summary>
    /// <exception cref="ArgumentException">The documents are too short for one prompt.</exception>
    public static (IReadOnlyList<RetrievalCase> WithFact, IReadOnlyList<RetrievalCase> Control) Build(IReadOnlyList<string> documents, RetrievalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        options ??= new RetrievalOptions();
        var text = Encoding.UTF8.GetBytes(string.Join("\n", documents).Replace("\n\n", "\n", StringComparison.Ordinal));
        var random = new Random(options.Seed);
        var withFact = new List<RetrievalCase>();
        var control = new List<RetrievalCase>();
        for (var c = 0; c < options.Cases; c++)
        {
            var name = Names[random.Next(Names.Length)];
            var code = string.Concat(Enumerable.Range(0, options.CodeDigits).Select(_ => (char)('0' + random.Next(10))));
            // The fact is a line of its own, wherever it lands in the filler.
            var fact = Encoding.UTF8.GetBytes($"\nThe code of {name} is {code}.\n");
            var question = Encoding.UTF8.GetBytes($"\nThe code of {name} is ");
            var fillerLength = options.ContextLength - 1 - fact.Length - question.Length;
            if (fillerLength < 16 || text.Length < fillerLength + fact.Length)
            {
                throw new ArgumentException($"A context of {options.ContextLength} leaves no room for filler, or the documents are too short.", nameof(documents));
            }
            var depth = options.Cases == 1 ? 0.5 : (double)c / (options.Cases - 1);
            var start = random.Next(0, text.Length - fillerLength - fact.Length);
            // Filler starts at a line start, and the fact goes in at a word boundary near its depth.
            var lineStart = Array.LastIndexOf(text, (byte)'\n', start) + 1;
            var filler = text.AsSpan(lineStart, fillerLength).ToArray();
            var cut = WordBoundaryNear(filler, (int)Math.Round(depth * fillerLength));
            withFact.Add(new RetrievalCase(Prompt([.. filler.Take(cut), .. fact, .. filler.Skip(cut)], question), code, depth, HasFact: true, question.Length));
            var longer = text.AsSpan(lineStart, fillerLength + fact.Length).ToArray();
            control.Add(new RetrievalCase(Prompt(longer, question), code, depth, HasFact: false, question.Length));
        }
        return (withFact, control);
    }

    /// <summary>
    /// Greedy continuation of each prompt, restricted to digits (the question says a code follows), through <paramref name="createCache"/>'s cache (a dense one by default; pass an
    /// evicting <see cref="IKvCache"/> to judge eviction), scored against the code. The context is prefilled first and
    /// the question follows as a second pass, so the question reads the context from the cache (compressed or evicted)
    /// rather than from the prefill's own full-precision keys and values, as kvpress evaluates query-agnostic presses.
    /// </summary>
    public static RetrievalResult Evaluate(CausalLM model, IReadOnlyList<RetrievalCase> cases, Func<CausalLM, int, IKvCache>? createCache = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cases);
        createCache ??= (m, capacity) => new DenseKvCache(m.Config.NumHiddenLayers, 1, m.Config.KeyValueHeads, m.Config.HeadDimension, capacity, m.DType, m.Device);
        var exact = 0;
        var digits = 0;
        var total = 0;
        double nll = 0;
        foreach (var item in cases)
        {
            var continuation = Continue(model, item, createCache, teacherForced: false).Text;
            exact += continuation == item.Expected ? 1 : 0;
            digits += item.Expected.Zip(continuation).Count(p => p.First == p.Second);
            total += item.Expected.Length;
            nll += Continue(model, item, createCache, teacherForced: true).Nll;
        }
        return new RetrievalResult((double)exact / cases.Count, (double)digits / total, cases.Count, nll / total);
    }

    // Greedy (or teacher-forced on the expected code, summing −log p of each code digit) continuation through a fresh cache.
    private static (string Text, double Nll) Continue(CausalLM model, RetrievalCase item, Func<CausalLM, int, IKvCache> createCache, bool teacherForced)
    {
        var prompt = item.Prompt;
        var cache = createCache(model, prompt.Count + item.Expected.Length);
        try
        {
            using var scope = NewDisposeScope();
            var context = prompt.Count - item.QuestionLength;
            Tensor logits;
            if (item.QuestionLength > 0 && context > 0)
            {
                model.Forward(CausalLM.ToInput(prompt.Take(context).ToArray()), cache, lastPositionOnly: true);
                logits = model.Forward(CausalLM.ToInput(prompt.Skip(context).ToArray()), cache, lastPositionOnly: true);
            }
            else
            {
                logits = model.Forward(CausalLM.ToInput(prompt), cache, lastPositionOnly: true);
            }
            var output = new List<int>();
            double nll = 0;
            while (true)
            {
                var expected = item.Expected[output.Count];
                nll -= logits[0, 0].log_softmax(0)[expected].item<float>();
                var next = teacherForced ? expected : BestDigit(logits);
                output.Add(next);
                if (output.Count == item.Expected.Length)
                {
                    break;
                }
                logits = model.Forward(CausalLM.ToInput([next]), cache, lastPositionOnly: true);
            }
            return (Encoding.ASCII.GetString(output.Select(id => (byte)id).ToArray()), nll);
        }
        finally
        {
            (cache as IDisposable)?.Dispose();
        }
    }

    /// <summary>The most likely of the ten digit bytes; restricting to digits makes per-digit chance exactly 10 %.</summary>
    private static int BestDigit(Tensor logits) => '0' + (int)logits[0, 0].narrow(0, '0', 10).argmax().item<long>();

    private static int[] Prompt(byte[] body, byte[] question) => [ByteCorpus.BosTokenId, .. body.Select(b => (int)b), .. question.Select(b => (int)b)];

    private static int WordBoundaryNear(byte[] filler, int position)
    {
        for (var i = Math.Min(position, filler.Length) - 1; i >= Math.Max(0, position - 16); i--)
        {
            if (filler[i] is (byte)' ' or (byte)'\n')
            {
                return i + 1;
            }
        }
        return Math.Min(position, filler.Length);
    }
}
