// bottleneck's light build (no Redis clustering) is what @octokit/plugin-throttling loads; using
// the same build keeps one copy in the bundle. It ships no types of its own: it is the same class.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
