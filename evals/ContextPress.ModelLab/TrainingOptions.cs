namespace ContextPress.ModelLab;

/// <summary>Options for <see cref="ModelTrainer"/>.</summary>
public sealed record TrainingOptions
{
    /// <summary>Seed for initialization and batch sampling.</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>Optimizer steps (the cosine schedule spans them).</summary>
    public int Steps { get; init; } = 600;

    /// <summary>Stop early once this much wall-clock time has passed (null: no limit); the best checkpoint so far is kept.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Windows per step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Positions per window (BOS plus stream tokens).</summary>
    public int SequenceLength { get; init; } = 256;

    /// <summary>Peak learning rate (after warm-up).</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Floor of the cosine decay.</summary>
    public double MinLearningRate { get; init; } = 3e-4;

    /// <summary>Linear warm-up steps.</summary>
    public int WarmupSteps { get; init; } = 30;

    /// <summary>AdamW decoupled weight decay on matrices (norm weights and biases are not decayed).</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Global gradient-norm clip.</summary>
    public double GradientClip { get; init; } = 1.0;

    /// <summary>Evaluate held-out perplexity every this many steps (and after the last).</summary>
    public int EvalEvery { get; init; } = 50;

    /// <summary>Held-out windows per evaluation during training (null: all).</summary>
    public int? EvalWindows { get; init; }

    /// <summary>Device to train on (<c>cpu</c>, <c>cuda</c>).</summary>
    public string Device { get; init; } = "cpu";
}
