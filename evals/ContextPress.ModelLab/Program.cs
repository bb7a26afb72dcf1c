using System.Globalization;
using System.Text.Json;
using ContextPress.ModelLab;
using ContextPress.Predictor;
using TorchSharp;
using static TorchSharp.torch;

// Usage:
//   dotnet run -c Release --project evals/ContextPress.ModelLab -- train [--data DIR] [--out DIR] [--minutes M] [--steps N] [--threads T] ...
//   dotnet run -c Release --project evals/ContextPress.ModelLab -- eval --dense DIR [--candidate DIR]... [--heldout FILE] [--windows N] [--retrieval N]
//   dotnet run -c Release --project evals/ContextPress.ModelLab -- calib --out FILE [--data DIR]   (the train split, as calibration text)
var mode = args.Length > 0 ? args[0] : "";
try
{
    return mode switch
    {
        "train" => Train(),
        "eval" => Eval(),
        "calib" => Calibration(),
        _ => Usage(),
    };
}
catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

int Train()
{
    var data = Option("--data") ?? FindUp("shared/research-data") ?? throw new DirectoryNotFoundException("No shared/research-data found above this directory; pass --data DIR.");
    var output = Option("--out") ?? "evals/ContextPress.ModelLab/model";
    set_num_threads(Int("--threads", 1));
    var documents = ByteCorpus.ReadGsm8k(Path.Combine(data, ByteCorpus.Gsm8kFileName));
    var (train, heldOut) = ByteCorpus.Split(documents);
    Directory.CreateDirectory(output);
    var heldOutPath = Path.Combine(output, EvaluationModelStore.HeldOutFileName);
    ByteCorpus.WriteDocuments(heldOutPath, heldOut);
    var trainTokens = ByteCorpus.ToTokens(train);
    var heldOutTokens = ByteCorpus.ToTokens(ByteCorpus.ReadDocuments(heldOutPath));
    var seq = Int("--seq", 256);
    var config = ModelTrainer.CreateConfig(Int("--hidden", 160), Int("--layers", 4), Int("--heads", 4), Int("--kv-heads", 2), Int("--head-dim", 40), Int("--intermediate", 432), seq);
    var options = new TrainingOptions
    {
        Seed = Int("--seed", 1234),
        Steps = Int("--steps", 600),
        TimeBudget = Option("--minutes") is { } minutes ? TimeSpan.FromMinutes(double.Parse(minutes, CultureInfo.InvariantCulture)) : null,
        BatchSize = Int("--batch", 16),
        SequenceLength = seq,
        LearningRate = Double("--lr", 3e-3),
        MinLearningRate = Double("--min-lr", 3e-4),
        WarmupSteps = Int("--warmup", 30),
        EvalEvery = Int("--eval-every", 50),
        EvalWindows = Option("--eval-windows") is { } w ? int.Parse(w, CultureInfo.InvariantCulture) : null,
        Device = Option("--device") ?? "cpu",
    };
    Console.WriteLine($"train {trainTokens.Length:N0} tokens ({train.Count} documents), held-out {heldOutTokens.Length:N0} tokens ({heldOut.Count} documents)");
    var result = ModelTrainer.Train(config, trainTokens, heldOutTokens, options, Console.Out);
    using var model = result.Model;
    model.to(CPU);
    var evaluator = new PerplexityEvaluator(new PerplexityEvaluatorOptions { WindowLength = seq });
    var full = evaluator.Perplexity(ids => model.ForwardForTraining(ids), heldOutTokens);
    var unigram = UnigramBaseline.Perplexity(trainTokens, heldOutTokens.Take(evaluator.Windows(heldOutTokens).Count * (seq - 1)).ToArray());
    Console.WriteLine($"chosen step {result.BestStep} of {result.StepsRun}; held-out ppl {full.Perplexity:0.0000} over {full.TokenCount:N0} tokens; byte-unigram ppl {unigram.Perplexity:0.0000}; {model.ParameterCount:N0} parameters; {result.ElapsedSeconds:0} s");
    EvaluationModelStore.Save(model, output, new Dictionary<string, string>
    {
        ["format"] = "pt",
        ["step"] = result.BestStep.ToString(CultureInfo.InvariantCulture),
        ["heldout_ppl"] = full.Perplexity.ToString("0.0000", CultureInfo.InvariantCulture),
    });
    var report = new
    {
        data = "gsm8k_test.jsonl (openai/grade-school-math, MIT); held out: document index % 10 == 9",
        heldout_sha256 = ByteCorpus.Sha256(heldOutPath),
        train_tokens = trainTokens.Length,
        heldout_tokens = heldOutTokens.Length,
        parameters = model.ParameterCount,
        options,
        steps_run = result.StepsRun,
        chosen_step = result.BestStep,
        training_seconds = result.ElapsedSeconds,
        heldout_ppl = full.Perplexity,
        heldout_scored_tokens = full.TokenCount,
        unigram_ppl = unigram.Perplexity,
        curve = result.Curve,
    };
    File.WriteAllText(Path.Combine(output, "training.json"), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    return 0;
}

// Calibration text for `contextpress model compress --calib`: the training split only, so held-out figures stay held out.
int Calibration()
{
    var data = Option("--data") ?? FindUp("shared/research-data") ?? throw new DirectoryNotFoundException("No shared/research-data found above this directory; pass --data DIR.");
    var output = Option("--out") ?? throw new ArgumentException("calib needs --out FILE.");
    var (train, _) = ByteCorpus.Split(ByteCorpus.ReadGsm8k(Path.Combine(data, ByteCorpus.Gsm8kFileName)));
    ByteCorpus.WriteDocuments(output, train);
    Console.WriteLine($"{train.Count} training documents written to {output}");
    return 0;
}

int Eval()
{
    var denseDir = Option("--dense") ?? throw new ArgumentException("eval needs --dense DIR.");
    var candidates = Options("--candidate");
    set_num_threads(Int("--threads", 1));
    var heldOutPath = Option("--heldout") ?? Path.Combine(denseDir, EvaluationModelStore.HeldOutFileName);
    var documents = ByteCorpus.ReadDocuments(heldOutPath);
    var tokens = ByteCorpus.ToTokens(documents);
    using var dense = CausalLM.FromPretrained(denseDir);
    var evaluator = new PerplexityEvaluator(new PerplexityEvaluatorOptions
    {
        WindowLength = dense.Config.MaxPositionEmbeddings,
        BosTokenId = dense.Config.BosTokenId,
        MaxWindows = Option("--windows") is { } w ? int.Parse(w, CultureInfo.InvariantCulture) : null,
    });
    var (withFact, control) = RetrievalTask.Build(documents, new RetrievalOptions { Cases = Int("--retrieval", 60), ContextLength = dense.Config.MaxPositionEmbeddings - 1 });
    using var denseLogits = evaluator.Reference(ids => dense.Forward(ids), tokens);
    var densePpl = evaluator.Perplexity(denseLogits, tokens);
    var chance = RetrievalTask.Evaluate(dense, control);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"held-out: {documents.Count} documents, {densePpl.TokenCount:N0} scored tokens; retrieval: {withFact.Count} cases, dense without the fact (chance) {chance.Accuracy:P1} exact / {chance.DigitAccuracy:P1} digits / code NLL {chance.CodeNll:0.000} nats per digit"));
    Console.WriteLine();
    Console.WriteLine("| model | held-out ppl | Δppl % | KL(dense ‖ model) nats/token | weight bytes | retrieval exact | retrieval digits | code NLL |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|");
    Row(denseDir, dense, densePpl, 0);
    foreach (var candidateDir in candidates)
    {
        using var candidate = CausalLM.FromPretrained(candidateDir);
        var (ppl, kl) = evaluator.Compare(denseLogits, ids => candidate.Forward(ids), tokens);
        Row(candidateDir, candidate, ppl, kl);
    }
    if (args.Contains("--kv"))
    {
        KvRows(dense, tokens, withFact);
    }
    return 0;

    void Row(string directory, CausalLM model, PerplexityResult ppl, double kl)
    {
        var retrieval = RetrievalTask.Evaluate(model, withFact);
        var delta = (ppl.Perplexity / densePpl.Perplexity - 1) * 100;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {Path.GetFileName(Path.TrimEndingDirectorySeparator(directory))} | {ppl.Perplexity:0.0000} | {delta:+0.00;-0.00;0.00} | {kl:0.00000} | {EvaluationModelStore.WeightBytes(directory):N0} | {retrieval.Accuracy:P1} | {retrieval.DigitAccuracy:P1} | {retrieval.CodeNll:0.000} |"));
    }
}

// KV-cache rows: each window's first half prefilled, the rest decoded token by token through the cache; only the decoded
// positions are scored, against dense decoding under the same protocol.
void KvRows(CausalLM dense, int[] tokens, IReadOnlyList<RetrievalCase> withFact)
{
    var window = dense.Config.MaxPositionEmbeddings;
    var prefill = Int("--kv-prefill", window / 2);
    var kvEvaluator = new PerplexityEvaluator(new PerplexityEvaluatorOptions
    {
        WindowLength = window,
        BosTokenId = dense.Config.BosTokenId,
        MaxWindows = Int("--kv-windows", 32),
        FirstScoredPosition = prefill,
    });
    var configurations = KvCacheEvaluation.TableConfigurations(Double("--kv-evict", 0.5));
    long denseBytes = 0;
    using var denseLogits = kvEvaluator.Reference(KvCacheEvaluation.Logits(dense, configurations[0].Options, prefill, b => denseBytes = b), tokens);
    var densePpl = kvEvaluator.Perplexity(denseLogits, tokens);
    Console.WriteLine();
    Console.WriteLine($"KV cache, {kvEvaluator.Windows(tokens).Count} windows: {prefill} tokens prefilled, {window - prefill} decoded one at a time and scored ({densePpl.TokenCount:N0} tokens).");
    Console.WriteLine();
    Console.WriteLine("| KV cache | held-out ppl (decoded) | Δppl % | KL(dense ‖ cache) nats/token | KV bytes after a window | retrieval exact | retrieval digits | code NLL |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|");
    foreach (var (name, options) in configurations)
    {
        // The dense row is the reference itself: no second decode.
        var isReference = options.Kind == ContextPress.Predictor.Caching.KvCacheKind.Dense;
        var bytes = denseBytes;
        var logits = KvCacheEvaluation.Logits(dense, options, prefill, b => bytes = b);
        var (ppl, kl) = isReference ? (densePpl, 0.0) : kvEvaluator.Compare(denseLogits, logits, tokens);
        var retrieval = RetrievalTask.Evaluate(dense, withFact, (m, capacity) => ContextPress.Predictor.Caching.KvCacheFactory.Create(m, options, capacity));
        var delta = (ppl.Perplexity / densePpl.Perplexity - 1) * 100;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {ppl.Perplexity:0.0000} | {delta:+0.00;-0.00;0.00} | {kl:0.00000} | {bytes:N0} | {retrieval.Accuracy:P1} | {retrieval.DigitAccuracy:P1} | {retrieval.CodeNll:0.000} |"));
    }
}

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

List<string> Options(string name)
{
    var values = new List<string>();
    for (var i = 0; i + 1 < args.Length; i++)
    {
        if (args[i] == name)
        {
            values.Add(args[i + 1]);
        }
    }
    return values;
}

int Int(string name, int fallback) => Option(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

double Double(string name, double fallback) => Option(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

static string? FindUp(string relative)
{
    for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, relative);
        if (Directory.Exists(candidate))
        {
            return candidate;
        }
    }
    return null;
}

static int Usage()
{
    Console.Error.WriteLine("usage: ContextPress.ModelLab train [--data DIR] [--out DIR] [--minutes M] [--steps N] [--threads T] [--hidden H] [--layers L] [--heads N] [--kv-heads N] [--head-dim D] [--intermediate I] [--seq S] [--batch B] [--lr X] [--eval-every N] [--eval-windows N] [--device cpu|cuda] [--seed S]");
    Console.Error.WriteLine("       ContextPress.ModelLab eval --dense DIR [--candidate DIR]... [--heldout FILE] [--windows N] [--retrieval N] [--threads T] [--kv [--kv-prefill N] [--kv-windows N] [--kv-evict R]]");
    Console.Error.WriteLine("       ContextPress.ModelLab calib --out FILE [--data DIR]");
    return 2;
}
