namespace ContextPress; internal static class Placeholder { }
