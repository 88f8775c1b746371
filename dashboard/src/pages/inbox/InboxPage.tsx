export { default } from '../Placeholder.tsx';
