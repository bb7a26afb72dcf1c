namespace ContextPress.ModelLab.Tests;

/// <summary>The evaluation model shipped in evals/ContextPress.ModelLab/model, copied beside the tests.</summary>
internal static class ShippedModel
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "model");

    public static string HeldOutPath => Path.Combine(Directory, EvaluationModelStore.HeldOutFileName);
}
